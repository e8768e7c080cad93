"use client";

import { useSyncExternalStore } from "react";

/** One shared ticking clock per interval, so a hundred relative times cost one timer. */
const clocks = new Map<
  number,
  { now: number; listeners: Set<() => void>; timer: ReturnType<typeof setInterval> | null }
>();

function clock(ms: number) {
  let c = clocks.get(ms);
  if (!c) {
    c = { now: Date.now(), listeners: new Set(), timer: null };
    clocks.set(ms, c);
  }
  return c;
}

/** `Date.now()`, refreshed every `intervalMs` while mounted; null during server rendering. */
export function useNow(intervalMs = 1000): number | null {
  const c = clock(intervalMs);
  return useSyncExternalStore(
    (listener) => {
      c.listeners.add(listener);
      if (!c.timer) c.now = Date.now();
      c.timer ??= setInterval(() => {
        c.now = Date.now();
        for (const l of c.listeners) l();
      }, intervalMs);
      return () => {
        c.listeners.delete(listener);
        if (c.listeners.size === 0 && c.timer) {
          clearInterval(c.timer);
          c.timer = null;
        }
      };
    },
    () => {
      // Unwatched clocks go stale; refresh at most once per interval so repeated reads agree.
      if (!c.timer && Date.now() - c.now > intervalMs) c.now = Date.now();
      return c.now;
    },
    () => null,
  );
}
