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

/** The viewer for a bearer secret, or null when unknown or revoked. */
export async function authenticate(db: Db, secret: string): Promise<Viewer | null> {
  if (!secret || secret.length > 200) return null;
  const t = await db.apiToken.findUnique({ where: { tokenHash: hashToken(secret) } });
  if (!t || t.revokedAt) return null;
  return { tokenId: t.id, name: t.name, namespace: t.namespace, role: t.role };
}

export async function revokeToken(db: Db, id: string, namespace: string): Promise<boolean> {
  const r = await db.apiToken.updateMany({
    where: { id, namespace, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return r.count > 0;
}

export async function ensureNamespace(db: Db, name: string): Promise<void> {
  await db.namespace.upsert({ where: { name }, create: { name }, update: {} });
}

/** A token as administrators see it: never the secret, never its hash. */
export type TokenInfo = Omit<ApiToken, "tokenHash">;

const INFO = { id: true, namespace: true, name: true, role: true, createdAt: true, revokedAt: true, lastUsedAt: true };

/** The namespace's tokens, newest first (revoked ones included, marked by `revokedAt`). */
export async function listTokens(db: Db, namespace: string): Promise<TokenInfo[]> {
  return db.apiToken.findMany({ where: { namespace }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: INFO });
}

/** One token of the namespace, or null (another namespace's token looks missing). */
export async function getToken(db: Db, namespace: string, id: string): Promise<TokenInfo | null> {
  return db.apiToken.findFirst({ where: { id, namespace }, select: INFO });
}

/** Of `ids`, the tokens that are still valid (not revoked, not deleted): one query. */
export async function activeTokenIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.apiToken.findMany({ where: { id: { in: ids }, revokedAt: null }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}
