import { useCSRFPrevention as csrfPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { authenticateFrom, authRateLimited } from "../../lib/auth/limiter";
import type { Viewer } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { DomainError } from "../../lib/errors";
import { metrics } from "../../lib/metrics";
import { bearerToken, type HeaderGetter, originAllowed, sessionCookie } from "../auth";
import { type CapLimits, LiveCaps } from "./connection-caps";
import { SharedWindows, TokenBuckets } from "./rate-limits";
import { LiveTokens } from "./revocation";

/** Longest GraphQL document accepted, checked before parsing (variables are separate). */
export const MAX_QUERY_BYTES = 64 * 1024;

export interface AccessOptions {
  /** Operations per second per token (0: unlimited) and burst. */
  rate: { perSecond: number; burst: number };
  /** Connection and subscription caps (shared by every server process through PostgreSQL). */
  caps: CapLimits;
}

/** How a request proved who it is: cookies are ambient authority, bearer tokens are not. */
export type Credential = "bearer" | "cookie";

export const rateLimited = (what: string) => new DomainError("RATE_LIMITED", `too many ${what}; slow down`);

/**
 * Who may do what, and how often — the one place every transport asks:
 * - `authenticate`: bearer token or (origin-checked) session cookie → viewer; unknown
 *   secrets count per client address in PostgreSQL (lib/auth/limiter.ts), and an address
 *   over the limit gets RATE_LIMITED for its failures — a valid token always gets through;
 * - `admitOperation`: the per-token operation budget (token bucket);
 * - `live`: open connections by token, ended when the token is revoked;
 * - `caps`: connection and subscription caps per token and per client address.
 */
export class Access {
  readonly live: LiveTokens;
  readonly caps: LiveCaps;
  /** Called at shutdown: every live subscription ends (see `endOnRevocation`). */
  private onStop = new Set<() => void>();
  private stopped = false;
  private readonly buckets: TokenBuckets;
  private readonly shared: SharedWindows;

  constructor(
    private readonly db: Db,
    opts: AccessOptions,
  ) {
    this.live = new LiveTokens(db);
    this.caps = new LiveCaps(db, opts.caps);
    this.buckets = new TokenBuckets(opts.rate.perSecond, opts.rate.burst);
    // Across processes: `burst` operations per burst/rate seconds (at least 1 s), i.e. `rate`
    // per second sustained, for all processes together.
    const windowMs = Math.max(1_000, Math.round((opts.rate.burst / Math.max(opts.rate.perSecond, 1e-9)) * 1000));
    const sharedLimit =
      opts.rate.perSecond > 0 ? Math.max(opts.rate.burst, (opts.rate.perSecond * windowMs) / 1000) : 0;
    this.shared = new SharedWindows(db, sharedLimit, windowMs);
  }

  /**
   * The viewer for `secret` presented from `ip`, or null. Throws RATE_LIMITED when the
   * secret is unknown and the address is over its failed-authentication limit, and lets
   * database errors through (the caller answers "try again").
   */
  async authenticate(secret: string | null, ip: string): Promise<Viewer | null> {
    const result = await authenticateFrom(this.db, secret, ip);
    if (result.outcome === "limited") {
      metrics.rejected.inc({ reason: "address_blocked" });
      throw authRateLimited();
    }
    if (!result.viewer) metrics.rejected.inc({ reason: "unauthenticated" });
    return result.viewer;
  }

  /** The credential in a request's headers: bearer first, else the cookie if its origin is allowed. */
  credential(header: HeaderGetter): { secret: string | null; via: Credential } {
    const bearer = bearerToken(header("authorization"));
    if (bearer) return { secret: bearer, via: "bearer" };
    return { secret: originAllowed(header) ? sessionCookie(header("cookie")) : null, via: "cookie" };
  }

  /**
   * Spend one operation of the viewer's budget, or throw RATE_LIMITED: this process's token
   * bucket, and the token's shared count over every process (no database round trip here).
   */
  admitOperation(viewer: Viewer): void {
    if (this.shared.blocked(viewer.tokenId) || !this.buckets.take(viewer.tokenId)) {
      metrics.rejected.inc({ reason: "rate_limited" });
      throw rateLimited("operations for this token");
    }
    this.shared.count(viewer.tokenId);
  }

  /** Shutdown: end every live subscription with a retryable error. */
  close(): void {
    this.stopped = true;
    for (const end of [...this.onStop]) end();
    this.live.close();
    this.shared.close();
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
