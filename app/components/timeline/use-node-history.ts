"use client";

import { useEffect, useState } from "react";
import { RunNodeHistoryDocument } from "@/app/graphql/generated";
import { useLive } from "../live/LiveProvider";
import type { NodeStatus } from "../run/types";
import type { NodeTransitions } from "./timeline-model";

/** The API's page size. */
const PAGE = 1000;

/**
 * Loads, once per page, the node status changes older than the oldest event the page was
 * rendered with (`transitions.historyBefore`) over plain HTTP, and puts them in front of
 * `transitions`. Returns a number that changes when they arrived (the timeline redraws).
 */
export function useNodeHistory(runId: string, transitions: NodeTransitions): number {
  const { transport } = useLive();
  const [loaded, setLoaded] = useState(0);
  useEffect(() => {
    const beforeSeq = transitions.historyBefore;
    if (beforeSeq <= 1 || transitions.history !== "none") return;
    transitions.history = "loading";
    let cancelled = false;
    (async () => {
      const older: { key: string; status: NodeStatus; at: number }[] = [];
      for (let afterSeq = 0; afterSeq < beforeSeq - 1; ) {
        const r = await transport.query(RunNodeHistoryDocument, { runId, afterSeq, first: PAGE });
        if (cancelled || r.errors?.length || !r.data) throw new Error("history not loaded");
        const page = r.data.events;
        for (const e of page.events) {
          if (e.seq >= beforeSeq) break;
          const at = Date.parse(e.at);
          if (e.__typename === "DagMutatedEvent") for (const n of e.addedNodes) older.push({ ...n, at });
          else if ("node" in e) older.push({ key: e.node.key, status: e.node.status, at });
        }
        if (!page.hasMore || page.nextSeq <= afterSeq) break;
        afterSeq = page.nextSeq;
      }
      if (cancelled) throw new Error("unmounted");
      transitions.prepend(older);
      transitions.history = "loaded";
      setLoaded((n) => n + 1);
    })().catch(() => {
      // The bars still show from the nodes' own start and end; the next mount tries again.
      transitions.history = "none";
    });
    return () => {
      cancelled = true;
    };
  }, [runId, transitions, transport]);
  return loaded;
}
