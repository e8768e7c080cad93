import { formatCost } from "../format";

/** Leaderboard cells (SPEC §8): integers bare, floats 4 decimals, tiny non-zero in exponential. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    if (Math.abs(v) < 1e-4) return v.toExponential(2);
    return v.toFixed(4);
  }
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v);
}

/** Sort compare for leaderboard values: numbers numerically, then strings, empty cells last. */
export function compareCells(a: unknown, b: unknown): number {
  const ea = a === null || a === undefined;
  const eb = b === null || b === undefined;
  if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
  const na = typeof a === "number";
  const nb = typeof b === "number";
  if (na && nb) return (a as number) - (b as number);
  if (na !== nb) return na ? -1 : 1;
  const sa = typeof a === "string" ? a : JSON.stringify(a);
  const sb = typeof b === "string" ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** `14:03:22.418` in the viewer's time zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function dateTime(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${clockTime(d.getTime())}`;
}

/** Costs in budget units; an absent budget is unlimited. */
export const money = (x: number | null | undefined): string => (x == null ? "∞" : formatCost(x));
