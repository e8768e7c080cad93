import type { Role } from "./documents";

/** A token as the page shows it: dates as ISO strings (server → client props). */
export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Sessions only: when they stop working by themselves. */
  expiresAt: string | null;
  /** Sessions only: the API token they were opened with, and its name. */
  parentId: string | null;
  parentName: string | null;
  /** At the time the server read it. */
  state: TokenState;
}

type TokenState = "active" | "revoked" | "expired";

export interface TokenSource {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  parentId: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** API tokens and browser sessions apart, newest first (as lib/auth listTokens orders them). */
export function tokenRows(tokens: TokenSource[], now = Date.now()): { api: TokenRow[]; sessions: TokenRow[] } {
  const names = new Map(tokens.map((t) => [t.id, t.name]));
  const rows = tokens.map(
    (t): TokenRow => ({
      id: t.id,
      name: t.name,
      role: t.role,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: iso(t.lastUsedAt),
      revokedAt: iso(t.revokedAt),
      expiresAt: iso(t.expiresAt),
      parentId: t.parentId,
      parentName: t.parentId ? (names.get(t.parentId) ?? null) : null,
      state: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt.getTime() <= now ? "expired" : "active",
    }),
  );
  return { api: rows.filter((r) => !r.parentId), sessions: rows.filter((r) => r.parentId) };
}

/** A session's browser, from its name `session: <token> · <browser>`. */
export function sessionBrowser(row: TokenRow): string {
  const i = row.name.indexOf(" · ");
  return i >= 0 && row.name.startsWith("session: ") ? row.name.slice(i + 3) : row.name;
}

/** "in 29d", "in 5h", "in 12m": how long until `iso`. */
export function formatUntil(iso: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (s < 60) return "in under a minute";
  if (s < 3600) return `in ${Math.floor(s / 60)}m`;
  if (s < 86_400) return `in ${Math.floor(s / 3600)}h`;
  return `in ${Math.round(s / 86_400)}d`;
}
