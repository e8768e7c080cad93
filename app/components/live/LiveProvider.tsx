"use client";

import { createContext, useContext, useState } from "react";
import { Provider } from "urql";
import { getLive, type Live } from "./urql-client";

const LiveContext = createContext<Live | null>(null);

/** Provides the urql client (graphcache + live transport) to the client leaves below. */
export function LiveProvider({ children }: { children: React.ReactNode }) {
  const [live] = useState(getLive);
  return (
    <LiveContext.Provider value={live}>
      <Provider value={live.client}>{children}</Provider>
    </LiveContext.Provider>
  );
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive() needs a <LiveProvider> above it");
  return live;
}
