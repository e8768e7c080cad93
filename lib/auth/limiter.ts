import type { Db } from "../db/client";
import { env } from "../env";
import { DomainError } from "../errors";
import { hitWindow } from "./rate-windows";
import { lookupToken, type Viewer } from "./tokens";

/** The failed-authentication window (SIGNALBOX_AUTH_FAILURE_LIMIT failures per this). */
const AUTH_FAILURE_WINDOW_MS = 60_000;

export const authRateLimited = () =>
  new DomainError("RATE_LIMITED", "too many failed authentications from your address; slow down");

export type AuthOutcome =
  /** A valid credential: always let through, whatever the address did before. */
  | { viewer: Viewer; outcome: "ok" }
  /** No credential, or one we issued that no longer works (a stale cookie): not counted. */
  | { viewer: null; outcome: "none" | "stale" }
  /** An unknown secret: counted against the address; `limited` once it is over the limit. */
  | { viewer: null; outcome: "failed" | "limited" };

/**
 * Authenticate `secret` presented from `address`, through the one failed-authentication
 * limiter (bearer, cookie, WebSocket, graphql-sse, `/api/session`, pages):
 * - a valid credential always gets through — limiting never locks out the rightful owner,
 *   even from an address that is guessing (a 192-bit token cannot be guessed anyway);
 * - an unknown secret counts one failure for the address in PostgreSQL (`rate_windows`:
 *   shared by every server process), and past SIGNALBOX_AUTH_FAILURE_LIMIT per minute the
 *   answer is RATE_LIMITED (429) instead of UNAUTHENTICATED;
 * - a secret we issued that was revoked or expired (a stale session cookie) and a request
 *   without credentials are not attacks and are not counted.
 */
export async function authenticateFrom(db: Db, secret: string | null, address: string): Promise<AuthOutcome> {
  if (!secret) return { viewer: null, outcome: "none" };
  const { viewer, known } = await lookupToken(db, secret);
  if (viewer) return { viewer, outcome: "ok" };
  if (known) return { viewer: null, outcome: "stale" };
  const limit = env().SIGNALBOX_AUTH_FAILURE_LIMIT;
  if (limit <= 0) return { viewer: null, outcome: "failed" };
  const failures = await hitWindow(db, `auth-fail:${address}`, AUTH_FAILURE_WINDOW_MS);
  return { viewer: null, outcome: failures > limit ? "limited" : "failed" };
}
