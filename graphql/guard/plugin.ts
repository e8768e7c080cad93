import type { ExecutionResult } from "graphql";
import { createGraphQLError, isAsyncIterable, type Plugin } from "graphql-yoga";
import type { Viewer } from "../../lib/auth/tokens";
import type { HeaderGetter } from "../auth";
import type { ServerContext } from "../context";
import { UNAVAILABLE_CODE, unauthenticated } from "../errors";
import { type Access, checkCsrf, MAX_QUERY_BYTES } from "./access";
import { type Lease, LIVE_LEASE } from "./connection-caps";

/** What the HTTP path authenticated, by request (yoga's context factory reads it back). */
const viewers = new WeakMap<Request, Viewer>();
export const requestViewer = (request: Request | undefined) => (request ? viewers.get(request) : undefined);

const tooLong = () =>
  createGraphQLError(`the document is longer than ${MAX_QUERY_BYTES} bytes`, {
    extensions: { code: "BAD_INPUT", http: { status: 400 } },
  });

/**
 * The access checks as a yoga/envelop plugin, so they run on every transport:
 * - HTTP (`onRequestParse`, before the body is even read): authenticate — unauthenticated
 *   callers never reach parsing, validation or introspection, so they see no schema and no
 *   "Did you mean …" suggestions; cookie-authenticated requests must pass yoga's CSRF
 *   prevention (a JSON content type or the `x-graphql-yoga-csrf` header);
 * - every transport (`onParse`, which graphql-ws and graphql-sse call too): the document
 *   length limit and the per-token operation budget;
 * - every transport (`onSubscribe`): the connection and subscription caps (an SSE stream is
 *   counted here; graphql-ws and graphql-sse count before they execute, to answer with their
 *   own error shape); a subscription ends with an UNAUTHENTICATED error as soon as its token
 *   is revoked, or with SERVICE_UNAVAILABLE at shutdown; its cap slot is freed when it ends.
 */
export function accessPlugin(access: Access): Plugin<ServerContext> {
  return {
    async onRequestParse(payload) {
      const { request, serverContext } = payload;
      const header: HeaderGetter = (h) => request.headers.get(h);
      const { secret, via } = access.credential(header);
      const viewer = await access.authenticate(
        secret,
        (serverContext as unknown as ServerContext | undefined)?.ip ?? "unknown",
      );
      if (!viewer) throw unauthenticated();
      if (via === "cookie") await checkCsrf(request);
      viewers.set(request, viewer);
    },
    onParse({ context, params }) {
      if (Buffer.byteLength(params.source.toString(), "utf8") > MAX_QUERY_BYTES) throw tooLong();
      const ctx = context as Partial<ServerContext> & { request?: Request };
      const viewer = ctx.viewer ?? requestViewer(ctx.request);
      if (!viewer) throw unauthenticated();
      access.admitOperation(viewer);
    },
    async onSubscribe({ args }) {
      const ctx = args.contextValue as Partial<ServerContext> & { viewer?: Viewer; [LIVE_LEASE]?: Lease };
      const viewer = ctx.viewer;
      let lease = ctx[LIVE_LEASE];
      if (!lease && viewer && ctx.transport !== "ws" && ctx.transport !== "graphql-sse") {
        // yoga's SSE (or a subscription over plain HTTP): the response is the stream.
        lease = await access.caps.open("stream", viewer.tokenId, ctx.ip ?? "unknown", ctx.transport ?? "sse");
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (viewer && isAsyncIterable(result)) setResult(endOnRevocation(result, access, viewer.tokenId, lease));
          else lease?.release();
        },
        onSubscribeError() {
          lease?.release();
        },
      };
    },
  };
}

const REVOKED = {
  errors: [createGraphQLError("the token was revoked", { extensions: { code: "UNAUTHENTICATED" } })],
};
const RESTARTING = {
  errors: [
    createGraphQLError("the server is restarting; resubscribe from your last seq", {
      extensions: { code: UNAVAILABLE_CODE },
    }),
  ],
};

/**
 * `source` until its token is revoked or the server shuts down; then one error result
 * (UNAUTHENTICATED, or the retryable SERVICE_UNAVAILABLE) and the end. The SSE
 * transports then end the stream; graphql-ws closes the connection (4403 / 1012) too.
 * Ending calls the source's `return()`, which aborts a pending `next()` (live/iterators.ts
 * `abortable`), so nothing waits for the next event. A plain iterator rather than an async
 * generator: this sits on every subscriber's path for every event (SPEC §9 fan-out).
 */
function endOnRevocation<T>(
  source: AsyncIterable<T>,
  access: Access,
  tokenId: string,
  lease?: Lease,
): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]();
  let ended: ExecutionResult | null = null;
  let finished = false;
  const cleanup = () => {
    unwatch();
    unstop();
    lease?.release();
  };
  const end = (why: ExecutionResult) => {
    ended ??= why;
    cleanup();
    void Promise.resolve(it.return?.()).catch(() => {});
  };
  const unwatch = access.live.watch(tokenId, () => end(REVOKED));
  const unstop = access.whenStopping(() => end(RESTARTING));
  /** After the end: the error result once, then done. */
  const final = (): IteratorResult<T> => {
    if (ended && !finished) {
      finished = true;
      return { value: ended as T, done: false };
    }
    return { value: undefined, done: true };
  };
  const wrapped: AsyncIterableIterator<T> = {
    next() {
      if (ended) return Promise.resolve(final());
      return it.next().then(
        (r) => {
          if (ended) return final();
          if (r.done) cleanup();
          return r;
        },
        (err) => {
          cleanup();
          throw err;
        },
      );
    },
    return(value?: unknown) {
      cleanup();
      finished = true;
      return it.return ? it.return(value) : Promise.resolve({ value: undefined, done: true });
    },
    throw(err?: unknown) {
      cleanup();
      return it.throw ? it.throw(err) : Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}
