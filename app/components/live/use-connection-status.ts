"use client";

import { useSyncExternalStore } from "react";
import { useLive } from "./LiveProvider";
import type { ConnectionStatus } from "./transport";

const SERVER_STATUS: ConnectionStatus = { transport: null, state: "connecting", lastSeq: null };

/** The live connection's transport (ws | sse), state and the last applied event seq. */
export function useConnectionStatus(): ConnectionStatus {
  const { transport } = useLive();
  return useSyncExternalStore(transport.onStatus, transport.getStatus, () => SERVER_STATUS);
}
