/**
 * The HTTP edge, before any request reaches yoga, graphql-sse or Next: the request body
 * cap (counted on every path, chunked bodies included) and the security headers every
 * response carries. README "Security and limits".
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import proxyAddr from "proxy-addr";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { metrics } from "../lib/metrics";

/**
 * Largest request body: a spec may be 1 MiB (SPEC §4) and is sent as JSON inside the
 * variables, so allow some room, but never buffer unbounded input.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * After an early answer (413, or a 401 that never read the body), the rest of the body is
 * read and dropped (not buffered) so the client sees the answer rather than a reset
 * connection — but for at most this long and this many more bytes; then the socket goes.
 */
const DISCARD_MS = 5_000;
const DISCARD_BYTES = 4 * MAX_BODY_BYTES;

const TOO_LARGE_BODY = JSON.stringify({
  errors: [
    {
      message: `request body too large: the limit is ${MAX_BODY_BYTES} bytes (4 MiB)`,
      extensions: { code: "BAD_INPUT" },
    },
  ],
});

type Push = (chunk: unknown, encoding?: BufferEncoding) => boolean;

/**
 * Count the request body's bytes as Node's HTTP parser hands them over, whatever reads
 * them later (yoga, graphql-sse, a Next route) and however they are framed
 * (Content-Length or chunked). Past `max`, the request is answered 413 at once — when
 * nothing was answered yet — and every further byte is dropped, so no consumer ever
 * holds more than `max` bytes, nor sees a truncated body as complete: its read fails when
 * the connection closes. Returns false when the request was refused up front (declared
 * Content-Length over the cap): then it must not be dispatched.
 *
 * Must be called synchronously in the `request` handler, before any body byte is parsed.
 */
export function guardRequestBody(req: IncomingMessage, res: ServerResponse, max = MAX_BODY_BYTES): boolean {
  const declared = Number(req.headers["content-length"] ?? 0);
  closeLingering(req);
  const push = req.push.bind(req) as Push;
  let seen = 0;
  let discarding = false;
  let discarded = 0;
  let consumed = true;

  const destroy = req.destroy.bind(req);
  const stop = () => {
    if (!req.destroyed) destroy();
  };
  const discard = () => {
    if (discarding) return;
    discarding = true;
    // Lingering, bounded: long enough for the client to read the answer.
    const timer = setTimeout(stop, DISCARD_MS);
    timer.unref();
    req.once("close", () => clearTimeout(timer));
  };
  const tooLarge = () => {
    metrics.rejected.inc({ reason: "body_too_large" });
    if (!res.headersSent && !res.writableEnded) {
      res.writeHead(413, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(TOO_LARGE_BODY);
    }
    discard();
  };

  (req as unknown as { push: Push }).push = (chunk, encoding) => {
    if (chunk === null) {
      // A consumer waiting on a body that was cut short must not take it as whole.
      if (discarding && consumed) {
        stop();
        return false;
      }
      return push(chunk, encoding);
    }
    const n = typeof chunk === "string" ? Buffer.byteLength(chunk) : (chunk as Buffer).length;
    if (discarding) {
      discarded += n;
      if (discarded > DISCARD_BYTES) stop();
      return true;
    }
    seen += n;
    if (seen > max) {
      tooLarge();
      return true;
    }
    return push(chunk, encoding);
  };

  if (declared > max) {
    consumed = false; // nobody else reads this request
    tooLarge();
    return false;
  }
  // Any other early answer (a 401 before the body was read): linger the same way, or the
  // close would reset the connection and the client could lose the answer (EPIPE). That
  // covers a handler that answers and then destroys the unread request (graphql-sse's
  // fetch adapter cancels the body stream).
  const linger = () => {
    if (req.complete || req.destroyed || discarding) return false;
    discard();
    req.resume();
    return true;
  };
  res.once("finish", linger);
  req.destroy = ((err?: Error) => {
    if (!err && (res.headersSent || res.writableEnded) && linger()) return req;
    return destroy(err);
  }) as typeof req.destroy;
  return true;
}

const kRequest = Symbol("signalbox.currentRequest");
type LingeringSocket = IncomingMessage["socket"] & {
  [kRequest]?: IncomingMessage;
  destroySoon?: () => void;
};

/**
 * Node closes a `Connection: close` response with `socket.destroySoon()`: once the answer
 * is flushed the socket is destroyed, and body bytes still arriving then make the kernel
 * send a reset — the client's next write fails (EPIPE) and it may never read the answer.
 * When the request's body is not all in, close like nginx's lingering_close instead: send
 * FIN after the answer and keep reading (the guard drops the bytes) until the client ends,
 * for at most DISCARD_MS (or DISCARD_BYTES, which destroys the request).
 */
function closeLingering(req: IncomingMessage): void {
  const socket = req.socket as LingeringSocket;
  if (!socket || typeof socket.destroySoon !== "function") return;
  const installed = kRequest in socket;
  socket[kRequest] = req; // keep-alive: the socket's current request
  if (installed) return;
  const destroySoon = socket.destroySoon.bind(socket);
  socket.destroySoon = () => {
    const current = socket[kRequest];
    if (!current || current.complete || socket.destroyed) return destroySoon();
    if (socket.writable) socket.end();
    const timer = setTimeout(() => socket.destroy(), DISCARD_MS);
    timer.unref();
    socket.once("end", () => socket.destroy());
    socket.once("close", () => clearTimeout(timer));
  };
}

/** One year: browsers keep to https for this long after seeing the header over https. */
const HSTS = "max-age=31536000";

/** For responses that are not pages (the API, ops endpoints): nothing may load or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

let trust: { list: readonly string[]; fn: (addr: string, i: number) => boolean } | undefined;

/**
 * Whether the client reached us over https: a TLS socket, or `X-Forwarded-Proto: https`
 * from a trusted proxy (SIGNALBOX_TRUSTED_PROXIES; anyone else can write the header).
 */
function servedOverHttps(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0].trim().toLowerCase();
  if (first !== "https" || !req.socket.remoteAddress) return false;
  const list = env().SIGNALBOX_TRUSTED_PROXIES;
  if (!list.length) return false;
  if (trust?.list !== list) trust = { list, fn: proxyAddr.compile(list) };
  return trust.fn(req.socket.remoteAddress, 0);
}

/**
 * Headers on every response, pages and API alike: no MIME sniffing, no framing (also
 * `frame-ancestors 'none'` in each CSP), no referrer to other sites, and HSTS when served
 * over https. The Content-Security-Policy is per kind of response: pages get theirs
 * (with a fresh nonce) from proxy.ts, GraphiQL from graphql/server.ts, the API `API_CSP`.
 */
export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("referrer-policy", "strict-origin-when-cross-origin");
  if (servedOverHttps(req)) res.setHeader("strict-transport-security", HSTS);
}

/** Log a failed handler unless its request was already refused at the edge. */
export function logUnlessRefused(res: ServerResponse, err: unknown, msg: string, fields: object = {}): void {
  if (res.statusCode === 413 && res.headersSent) return;
  log.error({ ...fields, err }, msg);
}

/**
 * The size of `value`'s JSON in bytes, counted without building it, stopping as soon as it
 * passes `limit` (the result is then some number over `limit`). Escapes are counted at
 * their longest, so this never says "under" for a value whose JSON is over.
 */
export function jsonBytesUpTo(value: unknown, limit: number): number {
  let total = 0;
  const visit = (v: unknown): void => {
    if (total > limit) return;
    if (v === null || v === undefined) {
      total += 4;
      return;
    }
    switch (typeof v) {
      case "string": {
        total += Buffer.byteLength(v, "utf8") + 2;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: escaped characters are the point
        const escapes = v.match(/["\\\u0000-\u001f\u2028\u2029]/g);
        if (escapes) total += escapes.length * 5;
        return;
      }
      case "number":
      case "bigint":
        total += String(v).length;
        return;
      case "boolean":
        total += v ? 4 : 5;
        return;
      case "object": {
        const json = (v as { toJSON?: () => unknown }).toJSON;
        if (typeof json === "function") {
          visit(json.call(v));
          return;
        }
        if (Array.isArray(v)) {
          total += 2 + Math.max(0, v.length - 1);
          for (const item of v) {
            visit(item);
            if (total > limit) return;
          }
          return;
        }
        total += 2;
        let first = true;
        for (const key in v) {
          const item = (v as Record<string, unknown>)[key];
          if (item === undefined || typeof item === "function") continue;
          total += Buffer.byteLength(key, "utf8") + 3 + (first ? 0 : 1);
          first = false;
          visit(item);
          if (total > limit) return;
        }
        return;
      }
      default:
        total += 4;
    }
  };
  visit(value);
  return total;
}
