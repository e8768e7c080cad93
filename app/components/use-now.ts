"use client";

import { useSyncExternalStore } from "react";

interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => number;
}

/** One shared ticking clock per interval, so a hundred relative times cost one timer. */
const clocks = new Map<number, Clock>();

/**
 * The clock for `ms`, with `subscribe` and `getSnapshot` created once: React re-subscribes
 * whenever `subscribe` changes identity, and a re-subscription that moved `now` made the
 * snapshot differ, forcing another synchronous render — on a slow machine (≥ 1 ms a round)
 * an endless loop (React error #185 on the tokens page under load).
 */
function clock(ms: number): Clock {
  let c = clocks.get(ms);
  if (c) return c;
  const self: Clock = {
    now: Date.now(),
    listeners: new Set(),
    timer: null,
    subscribe: (listener) => {
      self.listeners.add(listener);
      self.timer ??= setInterval(() => {
        self.now = Date.now();
        for (const l of self.listeners) l();
      }, ms);
      return () => {
        self.listeners.delete(listener);
        if (self.listeners.size === 0 && self.timer) {
          clearInterval(self.timer);
          self.timer = null;
        }
      };
    },
    // Unwatched clocks go stale; refresh at most once per interval so repeated reads agree.
    getSnapshot: () => {
      if (!self.timer && Date.now() - self.now > ms) self.now = Date.now();
      return self.now;
    },
  };
  c = self;
  clocks.set(ms, c);
  return c;
}

const serverSnapshot = () => null;

/** `Date.now()`, refreshed every `intervalMs` while mounted; null during server rendering. */
export function useNow(intervalMs = 1000): number | null {
  const c = clock(intervalMs);
  return useSyncExternalStore(c.subscribe, c.getSnapshot, serverSnapshot);
}
