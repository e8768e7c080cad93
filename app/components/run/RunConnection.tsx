"use client";

import { memo } from "react";
import { ConnectionIndicator } from "../live/ConnectionIndicator";
import { useRunEvents } from "../live/use-run-events";
import type { ConsoleEvent } from "./types";

interface Props {
  runId: string;
  /** The SSR snapshot's seq: the stream starts right after it. */
  afterSeq: number;
  /** The run's log is final (RUN_COMPLETED was appended before the page loaded, or since). */
  sealed: boolean;
  onBatch: (events: ConsoleEvent[]) => void;
}

/**
 * The run's live event stream and its indicator. The stream's progress (last seq,
 * connection state) changes every frame while events flow, so it lives in this leaf:
 * only the indicator re-renders on it, the console re-renders on what `onBatch` changes.
 */
function RunConnectionView({ runId, afterSeq, sealed, onBatch }: Props) {
  const live = useRunEvents({ runId, afterSeq, onBatch });
  return (
    <span className="inline-flex items-center gap-2">
      {live.error && (
        <span role="alert" className="text-xs text-rose-600 dark:text-rose-400">
          Live updates stopped: {live.error}
        </span>
      )}
      <ConnectionIndicator state={sealed ? "completed" : live.state} lastSeq={live.lastSeq} />
    </span>
  );
}

export const RunConnection = memo(RunConnectionView);
