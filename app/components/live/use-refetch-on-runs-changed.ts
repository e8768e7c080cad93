"use client";

import { useEffect, useRef } from "react";
import { useSubscription } from "urql";
import { RunsChangedDocument } from "@/app/graphql/generated";
import { useLive } from "./LiveProvider";

/**
 * Calls `refetch` when runs of the namespace change (a gate started waiting, a run was
 * created or finished…): event-driven, never polling. A busy run changes many times a
 * second, so calls are throttled to one per `minIntervalMs` (the last change always lands).
 *
 * Every caller shares one `runsChangedSince` subscription (urql dedupes identical
 * operations, and `since` is the document's render time), and its results also keep the
 * normalized Run entities current (graphcache). Subscribe first, then read: the
 * subscription replays every change after `since`, so a change between the server's
 * render and the subscription's start (or during a disconnect: a reconnect subscribes
 * again) still arrives. One refetch on mount covers data seeded from an older server read
 * than what the cache already holds (a client-side navigation).
 */
export function useRefetchOnRunsChanged(refetch: () => void, minIntervalMs = 1000) {
  const { since } = useLive();
  const refetchRef = useRef(refetch);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);

  useEffect(() => {
    refetchRef.current = refetch;
  });
  useEffect(() => {
    refetchRef.current();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  useSubscription({ query: RunsChangedDocument, variables: { since } }, (_prev, data) => {
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
