"use client";

import { useEffect, useState } from "react";

/** Anything that counts its changes and says when it changed (buffers, metric series). */
interface Versioned {
  readonly version: number;
  subscribe(listener: () => void): () => void;
}

/**
 * The source's version, re-rendering the caller at most once per `intervalMs`. A quiet
 * stream shows each change at once; a burst (1,000 lines/s) repaints a list ~10×/s
 * instead of every frame, which keeps the main thread free for everything else.
 */
export function useBufferVersion(buffer: Versioned, intervalMs = 100): number {
  const [version, setVersion] = useState(buffer.version);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const flush = () => {
      timer = null;
      last = performance.now();
      setVersion(buffer.version);
    };
    const unsubscribe = buffer.subscribe(() => {
      timer ??= setTimeout(flush, Math.max(0, last + intervalMs - performance.now()));
    });
    setVersion(buffer.version);
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [buffer, intervalMs]);
  return version;
}
