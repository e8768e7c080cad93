"use client";

import { useCallback, useState } from "react";
import { RunEventsPageDocument } from "@/app/graphql/generated";
import { useLive } from "../live/LiveProvider";
import type { RunBuffers } from "./run-buffers";
import { useBufferVersion } from "./use-buffer-version";

/** Events per click: the API's page size. */
const PAGE = 1000;

/**
 * The page renders the run's recent events; older ones (and their log lines) load on
 * demand, a page at a time, over plain HTTP — history never enters the normalized cache.
 */
export function LoadEarlier({ runId, buffers }: { runId: string; buffers: RunBuffers }) {
  const { transport } = useLive();
  useBufferVersion(buffers.events, 500);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const before = buffers.firstSeq;
    const afterSeq = Math.max(0, before - 1 - PAGE);
    setLoading(true);
    setError(null);
    try {
      const r = await transport.query(RunEventsPageDocument, { runId, afterSeq, first: before - 1 - afterSeq });
      if (r.errors?.length || !r.data) throw new Error(r.errors?.[0]?.message ?? "no data");
      buffers.prepend(r.data.events.events);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [buffers, runId, transport]);

  // Nothing older, or the buffer already dropped its oldest (history would leave a gap).
  if (buffers.firstSeq <= 1 || buffers.events.start > 0) return null;
  return (
    <button
      type="button"
      onClick={load}
      disabled={loading}
      title={error ?? `Events before #${buffers.firstSeq}`}
      className="rounded-md px-2 py-0.5 font-medium text-sky-700 ring-1 ring-inset ring-sky-300 hover:bg-sky-50 disabled:opacity-50 dark:text-sky-300 dark:ring-sky-700 dark:hover:bg-sky-950"
    >
      {loading ? "Loading…" : error ? "Retry earlier" : "Load earlier"}
    </button>
  );
}
