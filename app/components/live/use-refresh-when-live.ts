"use client";

import { useEffect, useRef } from "react";
import { useLive } from "./LiveProvider";

/** Long enough for the server to register the subscription that was sent with the connection. */
const SETTLE_MS = 250;

/**
 * Calls `refresh` once the live connection is up (right away if it already is) and again
 * after every reconnect. `runsChanged` has no replay: a change that lands between the
 * server's render (or a disconnect) and the subscription starting would otherwise never
 * reach the page. One query per (re)connect, never a poll.
 */
export function useRefreshWhenLive(refresh: () => void) {
  const { transport } = useLive();
  const ref = useRef(refresh);
  useEffect(() => {
    ref.current = refresh;
  });

  useEffect(() => {
    let previous: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onStatus = () => {
      const state = transport.getStatus().state;
      if (state === "live" && previous !== "live") {
        clearTimeout(timer);
        timer = setTimeout(() => ref.current(), SETTLE_MS);
      }
      previous = state;
    };
    onStatus();
    const off = transport.onStatus(onStatus);
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [transport]);
}
