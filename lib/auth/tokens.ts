import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import type { ApiToken, Role } from "../db/generated/client";

export type { Role };

/** Who is calling: resolved once per request / connection from a token. */
export interface Viewer {
  tokenId: string;
  name: string;
  namespace: string;
  role: Role;
  /** A browser session (opened by logging in to the web app), not an API token. */
  session?: boolean;
}

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

/** viewer < operator < admin (SPEC §7). */
export function hasRole(viewer: Viewer, needed: Role): boolean {
  return RANK[viewer.role] >= RANK[needed];
}

/** Tokens are stored as SHA-256; the secret is shown once, at creation. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function newSecret(): string {
  return `sbx_${randomBytes(24).toString("base64url")}`;
}

export async function createToken(
  db: Db,
  input: { namespace: string; name: string; role: Role; secret?: string },
): Promise<{ token: ApiToken; secret: string }> {
  const secret = input.secret ?? newSecret();
  await ensureNamespace(db, input.namespace);
  const token = await db.apiToken.create({
    data: { namespace: input.namespace, name: input.name, role: input.role, tokenHash: hashToken(secret) },
  });
  return { token, secret };
}

/**
 * `lastUsedAt` is kept to this resolution: at most one write per token per minute, so
 * authenticating stays a read on the hot path.
 */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The viewer for a bearer secret, or null when unknown, revoked or expired. A browser
 * session (lib/auth/sessions.ts) authenticates as the token it was opened with: same name
 * (so gate decisions record the person, not the session), and it stops working as soon
 * as that token is revoked.
 */
export async function authenticate(db: Db, secret: string): Promise<Viewer | null> {
  return (await lookupToken(db, secret)).viewer;
}

/**
 * Like `authenticate`, and also says whether the secret is one we issued (`known`) even
 * when it no longer works (revoked, expired, its token revoked): a stale session cookie is
 * not a guess, so the failed-authentication limiter does not count it (lib/auth/limiter.ts).
 */
export async function lookupToken(db: Db, secret: string): Promise<{ viewer: Viewer | null; known: boolean }> {
  if (!secret || secret.length > 200) return { viewer: null, known: false };
  const t = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(secret) },
    include: { parent: { select: { name: true, revokedAt: true } } },
  });
  if (!t) return { viewer: null, known: false };
  const now = new Date();
  if (t.revokedAt || (t.expiresAt && t.expiresAt <= now) || t.parent?.revokedAt) return { viewer: null, known: true };
  if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) touchToken(db, t.id, now);
  return {
    viewer: {
      tokenId: t.id,
      name: t.parent?.name ?? t.name,
      namespace: t.namespace,
      role: t.role,
      session: t.parentId !== null,
    },
    known: true,
  };
}

/** Record a use; best effort (never fails or delays the request it belongs to). */
function touchToken(db: Db, id: string, at: Date): void {
  const stale = new Date(at.getTime() - LAST_USED_RESOLUTION_MS);
  db.apiToken
    .updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] }, data: { lastUsedAt: at } })
    .catch(() => {});
}

/**
 * Revoke a token of the namespace, and with it every browser session opened with it.
 * True when the token itself was active until now.
 */
export async function revokeToken(db: Db, id: string, namespace: string): Promise<boolean> {
  const revokedAt = new Date();
  const [own] = await db.$transaction([
    db.apiToken.updateMany({ where: { id, namespace, revokedAt: null }, data: { revokedAt } }),
    db.apiToken.updateMany({ where: { parentId: id, namespace, revokedAt: null }, data: { revokedAt } }),
  ]);
  return own.count > 0;
}

export async function ensureNamespace(db: Db, name: string): Promise<void> {
  // Not Prisma's upsert (select, then insert): two processes starting at once would race
  // it into a unique violation.
  await db.$executeRaw`INSERT INTO namespaces (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING`;
}

/** A token as administrators see it: never the secret, never its hash. */
export type TokenInfo = Omit<ApiToken, "tokenHash">;

const INFO = {
  id: true,
  namespace: true,
  name: true,
  role: true,
  createdAt: true,
  revokedAt: true,
  lastUsedAt: true,
  parentId: true,
  expiresAt: true,
};

/** The namespace's tokens, newest first (revoked ones included, marked by `revokedAt`). */
export async function listTokens(db: Db, namespace: string): Promise<TokenInfo[]> {
  return db.apiToken.findMany({ where: { namespace }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: INFO });
}

/** One token of the namespace, or null (another namespace's token looks missing). */
export async function getToken(db: Db, namespace: string, id: string): Promise<TokenInfo | null> {
  return db.apiToken.findFirst({ where: { id, namespace }, select: INFO });
}

/**
 * Of `ids`, the tokens that are still valid (not revoked, expired or deleted, and for a
 * session, its token not revoked): one query.
 */
export async function activeTokenIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.apiToken.findMany({
    where: {
      id: { in: ids },
      revokedAt: null,
      AND: [
        { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
        { OR: [{ parentId: null }, { parent: { revokedAt: null } }] },
      ],
    },
    select: { id: true },
  });
  return new Set(rows.map((r) => r.id));
}
