"use client";

import type { ConnectionState, TransportKind } from "./transport";
import { useConnectionStatus } from "./use-connection-status";

const TONE: Record<ConnectionState | "completed", { dot: string; label: string }> = {
  connecting: { dot: "bg-amber-400", label: "connecting" },
  live: { dot: "bg-emerald-500 animate-pulse", label: "live" },
  reconnecting: { dot: "bg-amber-500 animate-pulse", label: "reconnecting" },
  offline: { dot: "bg-rose-500", label: "offline" },
  completed: { dot: "bg-slate-400", label: "complete" },
};

const TRANSPORT_NAME: Record<TransportKind, string> = {
  ws: "WebSocket",
  sse: "Server-Sent Events",
  poll: "HTTP polling (streaming is blocked on this network)",
};

/**
 * Where live data shows: transport (ws / sse / poll), connection state, (when a run stream
 * is open) the last applied seq, and "shared" when another tab holds the connection and
 * relays it here. Props override what the connection reports.
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
  const via = `${TRANSPORT_NAME[transport]}${status.shared ? ", shared with another tab" : ""}`;
  return (
    <output
      aria-live="polite"
      data-testid="connection-indicator"
      data-transport={status.transport ?? ""}
      data-state={shown}
      data-shared={status.shared ? "true" : "false"}
      title={`Live updates: ${tone.label} over ${via}`}
      className="inline-flex items-center gap-1.5 rounded-full border border-slate-200 bg-white/70 px-2 py-0.5 font-mono text-[11px] text-slate-600 dark:border-slate-700 dark:bg-slate-900/70 dark:text-slate-300"
    >
      <span aria-hidden className={`size-1.5 rounded-full ${tone.dot}`} />
      <span className="uppercase tracking-wide">{transport}</span>
      {!compact && <span>· {tone.label}</span>}
      {seq != null && <span className="text-slate-500 dark:text-slate-400">· seq {seq}</span>}
      {status.shared && <span className="text-slate-500 dark:text-slate-400">· shared</span>}
    </output>
  );
}
