import type { Db } from "../db/client";
import { authenticate, hashToken, newSecret, revokeToken, type TokenInfo, type Viewer } from "./tokens";
import { describeUserAgent } from "./user-agent";

/**
 * A browser session lasts 30 days from login, then stops authenticating (its live
 * subscriptions end with the next revocation sweep). Logging in again opens a new one.
 */
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/** A session's name: what it was opened with and where, e.g. `session: alice · Firefox 133 on Linux`. */
export const sessionName = (tokenName: string, userAgent: string | null | undefined) =>
  `session: ${tokenName} · ${describeUserAgent(userAgent)}`.slice(0, 200);

/** Browser sessions are tokens opened with another token; API tokens have no parent. */
const isSession = (token: Pick<TokenInfo, "parentId">): boolean => token.parentId != null;

export interface OpenedSession {
  /** The session's own secret: goes into the httpOnly cookie, never shown to anyone. */
  secret: string;
  expiresAt: Date;
  viewer: Viewer;
}

/**
 * Log in: check the token a person typed and open a session of its own for this browser
 * (same namespace and role), so that logging out can end exactly this session — its
 * requests and its live subscriptions — without revoking the token, which may be shared
 * or in use elsewhere. Null when the token is unknown, revoked or expired.
 *
 * A session's secret logs in as the token it was opened with (sessions do not nest).
 */
export async function openSession(
  db: Db,
  typed: string,
  opts: { userAgent?: string | null; ttlMs?: number; now?: Date } = {},
): Promise<OpenedSession | null> {
  const viewer = await authenticate(db, typed);
  if (!viewer) return null;
  const used = await db.apiToken.findUniqueOrThrow({ where: { id: viewer.tokenId }, select: { parentId: true } });
  const parentId = used.parentId ?? viewer.tokenId;
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (opts.ttlMs ?? SESSION_TTL_MS));
  const secret = newSecret();
  const session = await db.apiToken.create({
    data: {
      namespace: viewer.namespace,
      name: sessionName(viewer.name, opts.userAgent),
      role: viewer.role,
      tokenHash: hashToken(secret),
      parentId,
      expiresAt,
    },
  });
  // Revoked while this login was in flight: the cascade in revokeToken may have missed it.
  const parent = await db.apiToken.findUnique({ where: { id: parentId }, select: { revokedAt: true } });
  if (!parent || parent.revokedAt) {
    await revokeToken(db, session.id, session.namespace);
    return null;
  }
  await db.apiToken.update({ where: { id: parentId }, data: { lastUsedAt: now } });
  return { secret, expiresAt, viewer: { ...viewer, tokenId: session.id, session: true } };
}

/**
 * Log out: revoke the session behind this cookie secret, which ends its live
 * subscriptions within the server's revocation sweep. A secret that is not a session (a
 * cookie from before sessions existed holds the API token itself) is left alone: logging
 * out must never revoke a token someone else may be using. True when a session ended.
 */
export async function endSession(db: Db, secret: string | null | undefined): Promise<boolean> {
  if (!secret || secret.length > 200) return false;
  const t = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(secret) },
    select: { id: true, namespace: true, parentId: true },
  });
  if (!t || !isSession(t)) return false;
  return revokeToken(db, t.id, t.namespace);
}
