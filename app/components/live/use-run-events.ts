"use client";

import { useEffect, useRef, useState } from "react";
import type { RunEvent } from "@/app/graphql/types";
import { useLive } from "./LiveProvider";
import { RunEventStream, type RunStreamProgress } from "./run-event-stream";
import type { ConnectionState, TransportKind } from "./transport";
import { useConnectionStatus } from "./use-connection-status";

export interface UseRunEventsOptions {
  runId: string;
  /** The seq the caller's snapshot already includes (the SSR `lastSeq`): events after it are delivered. */
  afterSeq: number;
  /**
   * Called at most once per animation frame with every new event in seq order, each
   * exactly once. Keep high-rate data (logs, the event list) in bounded buffers of your own.
   */
  onBatch: (events: RunEvent[]) => void;
}

export interface RunEventsState {
  transport: TransportKind | null;
  state: ConnectionState | "completed";
  /** The last seq handed to `onBatch` (or `afterSeq` before the first batch). */
  lastSeq: number;
  /** A GraphQL error that ended the stream (e.g. the run is not visible to this session). */
  error: string | null;
}

/**
 * Live events of one run, resumed from `afterSeq` without gap or duplicate across
 * reconnects and the WebSocket → SSE fallback. `afterSeq` is read when `runId` changes
 * (pass the snapshot's seq; later values are ignored, the stream keeps its own cursor).
 */
export function useRunEvents({ runId, afterSeq, onBatch }: UseRunEventsOptions): RunEventsState {
  const { transport } = useLive();
  const connection = useConnectionStatus();
  const onBatchRef = useRef(onBatch);
  const afterSeqRef = useRef(afterSeq);
  const [progress, setProgress] = useState<RunStreamProgress & { runId: string }>({
    runId,
    lastSeq: afterSeq,
    completed: false,
    error: null,
  });

  useEffect(() => {
    onBatchRef.current = onBatch;
    afterSeqRef.current = afterSeq;
  });

  useEffect(() => {
    const start = afterSeqRef.current;
    setProgress({ runId, lastSeq: start, completed: false, error: null });
    const stream = new RunEventStream({
      transport,
      runId,
      afterSeq: start,
      onBatch: (events) => onBatchRef.current(events),
      onProgress: (p) => setProgress({ ...p, runId }),
    });
    return () => {
      stream.close();
      transport.reportSeq(null);
    };
  }, [transport, runId]);

  const current = progress.runId === runId ? progress : { lastSeq: afterSeq, completed: false, error: null };
  return {
    transport: connection.transport,
    state: current.completed ? "completed" : connection.state,
    lastSeq: current.lastSeq,
    error: current.error,
  };
}
