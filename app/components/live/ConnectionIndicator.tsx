"use client";

import type { ConnectionState } from "./transport";
import { useConnectionStatus } from "./use-connection-status";

const TONE: Record<ConnectionState | "completed", { dot: string; label: string }> = {
  connecting: { dot: "bg-amber-400", label: "connecting" },
  live: { dot: "bg-emerald-500 animate-pulse", label: "live" },
  reconnecting: { dot: "bg-amber-500 animate-pulse", label: "reconnecting" },
  offline: { dot: "bg-rose-500", label: "offline" },
  completed: { dot: "bg-slate-400", label: "complete" },
};

/**
 * Where live data shows: transport, connection state and (when a run stream is open)
 * the last applied seq. Props override what the shared connection reports.
 */
export function ConnectionIndicator({
  state,
  lastSeq,
  compact = false,
}: {
  state?: ConnectionState | "completed";
  lastSeq?: number | null;
  compact?: boolean;
}) {
  const status = useConnectionStatus();
  const shown = state ?? status.state;
  const seq = lastSeq !== undefined ? lastSeq : status.lastSeq;
  const tone = TONE[shown];
  const transport = status.transport ?? "ws";
  return (
    <output
      aria-live="polite"
      data-testid="connection-indicator"
      data-transport={status.transport ?? ""}
      data-state={shown}
      title={`Live updates: ${tone.label} over ${transport === "ws" ? "WebSocket" : "Server-Sent Events"}`}
      className="inline-flex items-center gap-1.5 rounded-full border border-slate-200 bg-white/70 px-2 py-0.5 font-mono text-[11px] text-slate-600 dark:border-slate-700 dark:bg-slate-900/70 dark:text-slate-300"
    >
      <span aria-hidden className={`size-1.5 rounded-full ${tone.dot}`} />
      <span className="uppercase tracking-wide">{transport}</span>
      {!compact && <span>· {tone.label}</span>}
      {seq != null && <span className="text-slate-500 dark:text-slate-400">· seq {seq}</span>}
    </output>
  );
}
