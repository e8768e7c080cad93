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
