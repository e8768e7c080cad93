import type { NodeStatus, RunStatus } from "@/app/graphql/types";

export type AnyStatus = RunStatus | NodeStatus;

export interface StatusTone {
  /** Badge classes (background, text, ring) for light and dark. */
  badge: string;
  /** Solid dot / bar colour. */
  dot: string;
  /** For canvases (graph nodes, minimap): one hex that reads on light and dark. */
  hex: string;
}

const tone = (badge: string, dot: string, hex: string): StatusTone => ({ badge, dot, hex });

/** One colour per status, used by every view (badges, progress bars, graph nodes). */
export const STATUS_TONES: Record<AnyStatus, StatusTone> = {
  PENDING: tone(
    "bg-slate-100 text-slate-600 ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600",
    "bg-slate-400",
    "#94a3b8",
  ),
  QUEUED: tone(
    "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600",
    "bg-slate-500",
    "#64748b",
  ),
  RUNNING: tone(
    "bg-sky-50 text-sky-700 ring-sky-300 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-800",
    "bg-sky-500",
    "#0ea5e9",
  ),
  WAITING: tone(
    "bg-violet-50 text-violet-700 ring-violet-300 dark:bg-violet-950 dark:text-violet-300 dark:ring-violet-800",
    "bg-violet-500",
    "#8b5cf6",
  ),
  PAUSED: tone(
    "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-800",
    "bg-amber-500",
    "#f59e0b",
  ),
  SUCCEEDED: tone(
    "bg-emerald-50 text-emerald-700 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
    "bg-emerald-500",
    "#10b981",
  ),
  FAILED: tone(
    "bg-rose-50 text-rose-700 ring-rose-300 dark:bg-rose-950 dark:text-rose-300 dark:ring-rose-800",
    "bg-rose-500",
    "#f43f5e",
  ),
  CANCELLED: tone(
    "bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600",
    "bg-zinc-400",
    "#a1a1aa",
  ),
  SKIPPED: tone(
    "bg-zinc-50 text-zinc-500 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-700",
    "bg-zinc-300",
    "#d4d4d8",
  ),
};
