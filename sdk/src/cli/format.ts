/** Small text formatters shared by the CLI's views and tables. */
import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

/** Environment variables (a plain record: tests pass their own). */
export type Env = Record<string, string | undefined>;

/** Colors for a stream: on a terminal (not TERM=dumb) unless NO_COLOR; FORCE_COLOR forces them. */
export function colorsFor(stream: { isTTY?: boolean }, env: Env = process.env): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const on = forced || (stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb");
  return pc.createColors(on);
}

export const noColors: Colors = pc.createColors(false);

/** `0.4s`, `12.3s`, `4m 05s`, `2h 03m`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** A cost: two decimals, more for amounts below a cent (`0.005`). */
export function cost(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n !== 0 && Math.abs(n) < 0.01) return String(Number(n.toPrecision(2)));
  return n.toFixed(2);
}

/** `42%`. */
export const percent = (fraction: number) => `${Math.floor(clamp01(fraction) * 100)}%`;

/** A bar of `width` cells, `fraction` of them full. */
export function bar(fraction: number, width: number): { full: string; empty: string } {
  const n = Math.round(clamp01(fraction) * width);
  return { full: "█".repeat(n), empty: "░".repeat(Math.max(0, width - n)) };
}

export const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** Local wall-clock time of an ISO timestamp, `HH:MM:SS`. */
export function clock(iso: string | null | undefined): string {
  if (!iso) return "--:--:--";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "--:--:--";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Local time, as short as is clear: `15:03:20` today, `12-07 15:03` this year, else `2025-12-07`. */
export function dateTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  if (d.toDateString() === now.toDateString()) return clock(iso);
  if (d.getFullYear() === now.getFullYear())
    return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Cut `text` to `width` cells, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join("")}…`;
}

/** Cut `text` to `width` cells in the middle (`step-…-name-40`): keys differ at their ends. */
export function truncateMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width < 5) return truncate(text, width);
  const tail = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, width - 1 - tail).join("")}…${chars.slice(-tail).join("")}`;
}

/** The visible width of plain text (one cell per code point: the CLI prints no wide glyphs). */
export const cells = (text: string) => [...text].length;

/** One line of a message: control characters (a log line's ANSI codes, tabs, CR) made harmless. */
export function oneLine(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "")
      .replace(/[\r\n]+/g, " ⏎ ")
      .replace(/\t/g, "  ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: see above
      .replace(/[\u0000-\u001f\u007f]/g, "")
  );
}
