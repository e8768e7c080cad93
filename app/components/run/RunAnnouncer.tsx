"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { type AnnounceState, announcements } from "./announce";
import type { NodeView } from "./types";

/**
 * A visually hidden live region for the run page: screen readers hear when the run
 * finishes (or pauses) and when a gate starts waiting, without moving focus.
 */
export function RunAnnouncer({
  status,
  durationMs,
  nodes,
}: {
  status: string;
  durationMs: number | null;
  nodes: ReadonlyMap<string, NodeView>;
}) {
  const gatesKey = useMemo(() => {
    const waiting: AnnounceState["waitingGates"] = [];
    for (const n of nodes.values()) {
      if (n.kind === "gate" && n.status === "WAITING") waiting.push({ key: n.key, title: n.gate?.title ?? null });
    }
    return JSON.stringify(waiting);
  }, [nodes]);
  const previous = useRef<AnnounceState | null>(null);
  const [message, setMessage] = useState("");

  useEffect(() => {
    const next: AnnounceState = { status, durationMs, waitingGates: JSON.parse(gatesKey) };
    const said = announcements(previous.current, next);
    previous.current = next;
    if (said.length) setMessage(said.join(" "));
  }, [status, durationMs, gatesKey]);

  return (
    <p role="status" aria-live="polite" className="sr-only" data-testid="run-announcer">
      {message}
    </p>
  );
}
