/** Display formats shared by every page (durations, times, costs). Pure: safe on server and client. */

/** Short durations: `850ms`, `3.5s`, `42s`, `2m 5s`, `1h 4m`, `2d 3h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 10_000) return `${(Math.floor(v / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(v / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "just now", "12s ago", "5m ago", "3h ago", "2d ago", then a date. */
export function formatRelative(iso: string | Date | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  const t = typeof iso === "string" ? Date.parse(iso) : iso.getTime();
  const s = Math.round((now - t) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)}d ago`;
  return new Date(t).toLocaleDateString("en", { month: "short", day: "numeric", year: "numeric" });
}

/** Absolute timestamp for tooltips: `2026-11-21 09:30:00 UTC`. */
export function formatTimestamp(iso: string | Date | null | undefined): string {
  if (!iso) return "";
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Costs in budget units: at least 2 decimals, up to 4 (`0.12`, `0.0125`, `3.00`). */
export function formatCost(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return "—";
  const fixed = x.toFixed(4).replace(/(\.\d\d\d?)0+$/, "$1");
  return fixed.replace(/(\.\d\d)0$/, "$1");
}

export function formatPercent(x: number): string {
  return `${Math.round(Math.max(0, Math.min(1, x)) * 100)}%`;
}

/** `a1b2c3d4` from a UUID or checksum. */
export const shortId = (id: string, n = 8) => id.replace(/-/g, "").slice(0, n);
