"use client";

import { useSyncExternalStore } from "react";
import { useLive } from "./LiveProvider";
import type { ConnectionStatus } from "./transport";

const SERVER_STATUS: ConnectionStatus = { transport: null, state: "connecting", lastSeq: null, shared: false };

/** The live connection's transport (ws | sse | poll), state, the last applied event seq, and whether it is shared. */
export function useConnectionStatus(): ConnectionStatus {
  const { transport } = useLive();
  return useSyncExternalStore(transport.onStatus, transport.getStatus, () => SERVER_STATUS);
}
