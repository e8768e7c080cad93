import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import { env } from "../env";

/**
 * The header through which the custom server hands the client address it computed to Next's
 * route handlers (which cannot see the socket). Set on every request by graphql/server.ts,
 * overwriting whatever the client sent.
 */
export const CLIENT_ADDRESS_HEADER = "x-signalbox-client-address";

let trust: { list: string[]; fn: (addr: string, i: number) => boolean } | undefined;

function trusted(): (addr: string, i: number) => boolean {
  const list = env().SIGNALBOX_TRUSTED_PROXIES;
  if (trust?.list !== list) trust = { list, fn: proxyAddr.compile(list) };
  return trust.fn;
}

/** `::ffff:10.1.2.3` → `10.1.2.3`, so one client has one key whatever the socket family. */
function normalizeAddress(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return (m ? m[1] : addr).toLowerCase();
}

/**
 * The client's address for limits and logs (SPEC §2): the TCP peer, unless the peer is a
 * trusted proxy (SIGNALBOX_TRUSTED_PROXIES); then X-Forwarded-For is walked from the right
 * and the first address that is not a trusted proxy is the client. With no trusted proxies
 * (the default) X-Forwarded-For is ignored: anyone can write it.
 */
export function clientAddress(req: IncomingMessage): string {
  if (!req.socket?.remoteAddress) return "unknown";
  if (!env().SIGNALBOX_TRUSTED_PROXIES.length) return normalizeAddress(req.socket.remoteAddress);
  try {
    return normalizeAddress(proxyAddr(req, trusted()));
  } catch {
    return normalizeAddress(req.socket.remoteAddress);
  }
}
