"use client";

import { useEffect, useRef } from "react";
import { useSubscription } from "urql";
import { RUNS_CHANGED_SUBSCRIPTION } from "./fragments";
import { useRefreshWhenLive } from "./use-refresh-when-live";

/**
 * Calls `refetch` when runs of the namespace change (a gate started waiting, a run was
 * created or finished…): event-driven, never polling. A busy run changes many times a
 * second, so calls are throttled to one per `minIntervalMs` (the last change always lands).
 *
 * Every caller shares one `runsChanged` subscription (urql dedupes identical operations),
 * and its results also keep the normalized Run entities current (graphcache). It also
 * refetches when the connection comes up, which covers changes no subscription saw.
 */
export function useRefetchOnRunsChanged(refetch: () => void, minIntervalMs = 1000) {
  const refetchRef = useRef(refetch);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);

  useEffect(() => {
    refetchRef.current = refetch;
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  useRefreshWhenLive(() => refetchRef.current());
  useSubscription({ query: RUNS_CHANGED_SUBSCRIPTION }, (_prev, data) => {
    if (!timer.current) {
      const wait = Math.max(150, last.current + minIntervalMs - Date.now());
      timer.current = setTimeout(() => {
        timer.current = null;
        last.current = Date.now();
        refetchRef.current();
      }, wait);
    }
    return data;
  });
}
