import type { EventType, LogLevel } from "./types";

/** Tones of event types and log levels (statuses use the app's STATUS_TONES). */
export type Tone = "neutral" | "info" | "success" | "warning" | "danger" | "gate" | "muted";

export function levelTone(l: LogLevel): Tone {
  return l === "ERROR" ? "danger" : l === "WARNING" ? "warning" : l === "DEBUG" ? "muted" : "neutral";
}

export const EVENT_TONE: Record<EventType, Tone> = {
  RUN_STATUS: "info",
  NODE_STATE: "neutral",
  EDGE_ACTIVE: "muted",
  DAG_MUTATED: "info",
  COST_UPDATE: "warning",
  LOG: "muted",
  GATE_WAITING: "gate",
  GATE_DECIDED: "gate",
  RESULTS: "success",
  RUN_COMPLETED: "success",
  ERROR: "danger",
};

/** Text colour per tone (readable on both themes). */
export const TONE_TEXT: Record<Tone, string> = {
  neutral: "text-slate-700 dark:text-slate-200",
  info: "text-sky-700 dark:text-sky-300",
  success: "text-emerald-700 dark:text-emerald-300",
  warning: "text-amber-700 dark:text-amber-300",
  danger: "text-rose-700 dark:text-rose-300",
  gate: "text-violet-700 dark:text-violet-300",
  muted: "text-slate-500 dark:text-slate-400",
};
