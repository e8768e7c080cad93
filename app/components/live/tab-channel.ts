import type { ExecutionResult } from "graphql";
import type { ConnectionState, RequestBody, TransportKind } from "./transport";

/** The few members of BroadcastChannel used here (a fake in unit tests). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  listen(onMessage: (data: unknown) => void): void;
}

/** What of the browser the relay needs; missing pieces mean one connection per tab. */
export interface TabSharingEnv {
  tabId: string;
  /** `navigator.locks.request`, when the browser has Web Locks. */
  requestLock?: (name: string, whileHeld: () => Promise<void>) => void;
  /** `new BroadcastChannel(name)`, when the browser has it. */
  openChannel?: (name: string) => ChannelLike;
  /** Called once with a function to run when the tab goes (pagehide). */
  onTabClose?: (goodbye: () => void) => void;
}

/**
 * What tabs say to each other over the BroadcastChannel (tab-shared-connection.ts).
 * Followers → leader: hello, sub, update (a cursor moved), unsub, bye (tab closing), nudge.
 * Leader → followers: leader (who leads), status (its connection's), next / error /
 * complete (a relayed subscription's results, addressed `to` one tab).
 */
export type TabMessage =
  | { t: "hello"; from: string }
  | { t: "leader"; leader: string }
  | { t: "sub"; from: string; id: number; payload: RequestBody }
  | { t: "update"; from: string; id: number; payload: RequestBody }
  | { t: "unsub"; from: string; id: number }
  | { t: "bye"; from: string }
  | { t: "nudge" }
  | { t: "status"; transport: TransportKind | null; state: ConnectionState }
  | { t: "next"; to: string; id: number; value: ExecutionResult }
  | { t: "error"; to: string; id: number; errors: unknown }
  | { t: "complete"; to: string; id: number };

/** The browser's pieces, where they exist. */
export function browserTabSharing(): TabSharingEnv {
  const tabId = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : String(Math.random());
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return {
    tabId,
    requestLock: locks ? (name, whileHeld) => void locks.request(name, whileHeld) : undefined,
    openChannel:
      typeof BroadcastChannel !== "undefined"
        ? (name) => {
            const channel = new BroadcastChannel(name);
            return {
              postMessage: (m) => channel.postMessage(m),
              listen: (onMessage) => channel.addEventListener("message", (e) => onMessage(e.data)),
            };
          }
        : undefined,
    onTabClose: (goodbye) => window.addEventListener("pagehide", goodbye),
  };
}
