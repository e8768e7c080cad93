"use client";

import type { RunStatus } from "@/app/graphql/types";
import { formatDuration } from "../format";
import { useNow } from "../use-now";

const TICKING: RunStatus[] = ["RUNNING", "PAUSED"];

/** Finished: the recorded duration. Active: counts up live from `startedAt`. */
export function RunDuration({
  status,
  startedAt,
  durationMs,
}: {
  status: RunStatus;
  startedAt: string | null;
  durationMs: number | null;
}) {
  const ticking = TICKING.includes(status) && startedAt != null;
  const now = useNow(ticking ? 1000 : 60_000);
  const ms = ticking && now !== null ? now - Date.parse(startedAt) : durationMs;
  return (
    <span className="tabular-nums" suppressHydrationWarning>
      {startedAt ? formatDuration(ms) : "—"}
    </span>
  );
}
