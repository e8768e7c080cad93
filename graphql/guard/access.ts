import { useCSRFPrevention as csrfPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import type { ExecutionResult } from "graphql";
import { createGraphQLError, isAsyncIterable, type Plugin } from "graphql-yoga";
import { authenticate, type Viewer } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { DomainError } from "../../lib/errors";
import { metrics } from "../../lib/metrics";
import { bearerToken, type HeaderGetter, originAllowed, sessionCookie } from "../auth";
import type { ServerContext } from "../context";
import { UNAVAILABLE_CODE, unauthenticated } from "../errors";
import { FailureWindow, TokenBuckets } from "./rate-limits";
import { LiveTokens } from "./revocation";

/** Longest GraphQL document accepted, checked before parsing (variables are separate). */
export const MAX_QUERY_BYTES = 64 * 1024;

export interface AccessOptions {
  /** Operations per second per token (0: unlimited) and burst. */
  rate: { perSecond: number; burst: number };
  /** Failed authentications per minute per client IP before it is refused (0: unlimited). */
  authFailuresPerMinute: number;
}

/** How a request proved who it is: cookies are ambient authority, bearer tokens are not. */
export type Credential = "bearer" | "cookie";

export const rateLimited = (what: string) => new DomainError("RATE_LIMITED", `too many ${what}; slow down`);

/**
 * Who may do what, and how often — the one place every transport asks:
 * - `authenticate`: bearer token or (origin-checked) session cookie → viewer; failed
 *   attempts count per client IP, and an IP over the limit is refused without a lookup;
 * - `admitOperation`: the per-token operation budget (token bucket);
 * - `live`: open connections by token, ended when the token is revoked.
 */
export class Access {
  readonly live: LiveTokens;
  /** Called at shutdown: every live subscription ends (see `endOnRevocation`). */
  private onStop = new Set<() => void>();
  private stopped = false;
  private readonly failures: FailureWindow;
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly db: Db,
    opts: AccessOptions,
  ) {
    this.live = new LiveTokens(db);
    this.failures = new FailureWindow(opts.authFailuresPerMinute);
    this.buckets = new TokenBuckets(opts.rate.perSecond, opts.rate.burst);
  }

  /** True while `ip` has used up its failed authentications. */
  blocked(ip: string): boolean {
    return this.failures.blocked(ip);
  }

  /**
   * The viewer for `secret` presented from `ip`, or null. Throws RATE_LIMITED for a
   * blocked IP, and lets database errors through (the caller answers "try again").
   */
  async authenticate(secret: string | null, ip: string): Promise<Viewer | null> {
    if (this.failures.blocked(ip)) {
      metrics.rejected.inc({ reason: "address_blocked" });
      throw rateLimited("failed authentications from your address");
    }
    const viewer = secret ? await authenticate(this.db, secret) : null;
    if (!viewer) metrics.rejected.inc({ reason: "unauthenticated" });
    if (secret && !viewer) this.failures.fail(ip);
    return viewer;
  }

  /** The credential in a request's headers: bearer first, else the cookie if its origin is allowed. */
  credential(header: HeaderGetter): { secret: string | null; via: Credential } {
    const bearer = bearerToken(header("authorization"));
    if (bearer) return { secret: bearer, via: "bearer" };
    return { secret: originAllowed(header) ? sessionCookie(header("cookie")) : null, via: "cookie" };
  }

  /** Spend one operation of the viewer's budget, or throw RATE_LIMITED. */
  admitOperation(viewer: Viewer): void {
    if (!this.buckets.take(viewer.tokenId)) {
      metrics.rejected.inc({ reason: "rate_limited" });
      throw rateLimited("operations for this token");
    }
  }

  /** Shutdown: end every live subscription with a retryable error. */
  close(): void {
    this.stopped = true;
    for (const end of [...this.onStop]) end();
    this.live.close();
  }

  /** Run `end` at shutdown (at once if already stopping); the result unregisters. */
  whenStopping(end: () => void): () => void {
    if (this.stopped) end();
    this.onStop.add(end);
    return () => this.onStop.delete(end);
  }
}

// A yoga plugin, not a React hook (renamed for the linter).
const csrf = csrfPrevention({ requestHeaders: ["x-graphql-yoga-csrf"] });

/**
 * yoga's CSRF prevention for cookie-authenticated requests: a browser can send a
 * "simple" cross-site request (GET, form or text/plain POST) without a preflight, so such
 * requests must carry `x-graphql-yoga-csrf` (any value) or a JSON content type. Throws
 * a 403 GraphQL error. Bearer tokens are not ambient, so they are exempt.
 */
export async function checkCsrf(request: Request): Promise<void> {
  await csrf.onRequestParse?.({ request } as never);
}

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
 * - every transport (`onSubscribe`): a subscription ends with an UNAUTHENTICATED error as
 *   soon as its token is revoked, or with SERVICE_UNAVAILABLE at shutdown.
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
    onSubscribe({ args }) {
      const viewer = (args.contextValue as { viewer?: Viewer }).viewer;
      return {
        onSubscribeResult({ result, setResult }) {
          if (viewer && isAsyncIterable(result)) setResult(endOnRevocation(result, access, viewer.tokenId));
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
function endOnRevocation<T>(source: AsyncIterable<T>, access: Access, tokenId: string): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]();
  let ended: ExecutionResult | null = null;
  let finished = false;
  const cleanup = () => {
    unwatch();
    unstop();
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
      return it.next().then((r) => {
        if (ended) return final();
        if (r.done) cleanup();
        return r;
      });
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
