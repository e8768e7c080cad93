"use client";

import { createContext, useContext, useMemo, useState } from "react";
import { Provider } from "urql";
import { getLive, type Live } from "./urql-client";

/** The live client, and the server time this document was rendered at (for `runsChangedSince(since:)`). */
export type LiveContextValue = Live & { since: string };

const LiveContext = createContext<LiveContextValue | null>(null);

/**
 * Provides the urql client (graphcache + live transport) to the client leaves below.
 * `since` is the server's time when it rendered this document: the shared `runsChanged`
 * subscription (`runsChangedSince`) asks for every change after it, so nothing between the server's reads
 * and the subscription's start is missed (and a reconnect replays the outage).
 */
export function LiveProvider({ since, children }: { since: string; children: React.ReactNode }) {
  const [live] = useState(getLive);
  const value = useMemo(() => ({ ...live, since }), [live, since]);
  return (
    <LiveContext.Provider value={value}>
      <Provider value={live.client}>{children}</Provider>
    </LiveContext.Provider>
  );
}

export function useLive(): LiveContextValue {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive() needs a <LiveProvider> above it");
  return live;
}
