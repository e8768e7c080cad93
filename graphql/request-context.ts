import { AsyncLocalStorage } from "node:async_hooks";
import { log } from "../lib/log";

/**
 * The request (or WebSocket connection) an operation belongs to, for the logs: HTTP
 * requests run inside `requestContext.run`, WebSocket operations while they execute.
 */
export const requestContext = new AsyncLocalStorage<{ requestId?: string }>();

/** The logger with the current request id, if any. */
export function requestLog() {
  const requestId = requestContext.getStore()?.requestId;
  return requestId ? log.child({ requestId }) : log;
}
