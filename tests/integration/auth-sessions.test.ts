/**
 * Browser sessions (lib/auth/sessions.ts) on the real database and the real server: a
 * login opens a token of its own, logging out revokes exactly that one (its live socket
 * closes, the token it was opened with keeps working), revoking the token ends all of its
 * sessions, and sessions expire.
 */
import { describe, expect, it } from "vitest";
import { endSession, openSession } from "../../lib/auth/sessions";
import { activeTokenIds, authenticate, createToken, listTokens, revokeToken } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import {
  collect,
  type ExecutionResult,
  gqlData,
  RUN_EVENTS,
  type ServerProc,
  SUBMIT,
  serveForTests,
  wsClient,
} from "./graphql-harness";
import { eventually } from "./hardening-helpers";

const CHROME_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let db: Db;
let server: ServerProc;

serveForTests({}, (h) => {
  ({ server, db } = h);
});

let n = 0;
async function buildToken(role: "VIEWER" | "OPERATOR" | "ADMIN" = "OPERATOR") {
  const namespace = `sess-${process.pid}-${Date.now()}-${n++}`;
  const { token, secret } = await createToken(db, { namespace, name: `alice-${n}`, role });
  return { id: token.id, namespace, name: token.name, secret };
}

const open = async (secret: string) => {
  const s = await openSession(db, secret, { userAgent: CHROME_LINUX });
  if (!s) throw new Error("login refused");
  return s;
};

describe("openSession / endSession", () => {
  it("a login opens a session token of its own: same namespace and role, named after the token and browser", async () => {
    const t = await buildToken("OPERATOR");
    const before = Date.now();
    const s = await open(t.secret);
    expect(s.secret).not.toBe(t.secret);
    expect(s.viewer).toMatchObject({ name: t.name, namespace: t.namespace, role: "OPERATOR" });
    expect(s.viewer.tokenId).not.toBe(t.id);
    expect(s.expiresAt.getTime() - before).toBeGreaterThan(29 * 86_400_000);

    const row = (await listTokens(db, t.namespace)).find((x) => x.id === s.viewer.tokenId);
    expect(row).toMatchObject({ parentId: t.id, role: "OPERATOR", name: `session: ${t.name} · Chrome 131 on Linux` });
    // The session authenticates as the person's token name (gate decisions record it).
    expect(await authenticate(db, s.secret)).toEqual(s.viewer);
    // The token used to log in shows when it was last used.
    await eventually(async () => (await listTokens(db, t.namespace)).find((x) => x.id === t.id)?.lastUsedAt != null);
  });

  it("refuses unknown, revoked and expired tokens", async () => {
    expect(await openSession(db, "sbx_nope")).toBeNull();
    expect(await openSession(db, "")).toBeNull();
    const t = await buildToken();
    await revokeToken(db, t.id, t.namespace);
    expect(await openSession(db, t.secret)).toBeNull();
  });

  it("logging out revokes the session only: the token it was opened with keeps working", async () => {
    const t = await buildToken();
    const a = await open(t.secret);
    const b = await open(t.secret);
    expect(await endSession(db, a.secret)).toBe(true);
    expect(await authenticate(db, a.secret)).toBeNull();
    expect(await authenticate(db, b.secret)).not.toBeNull();
    expect(await authenticate(db, t.secret)).not.toBeNull();
    expect(await endSession(db, a.secret)).toBe(false); // already ended
  });

  it("logging out with an API token in the cookie (a pre-session login) never revokes the token", async () => {
    const t = await buildToken();
    expect(await endSession(db, t.secret)).toBe(false);
    expect(await authenticate(db, t.secret)).not.toBeNull();
    expect(await endSession(db, null)).toBe(false);
  });

  it("revoking a token ends every session opened with it, and they stop counting as live", async () => {
    const t = await buildToken();
    const a = await open(t.secret);
    const b = await open(t.secret);
    expect(await activeTokenIds(db, [a.viewer.tokenId, b.viewer.tokenId])).toEqual(
      new Set([a.viewer.tokenId, b.viewer.tokenId]),
    );
    expect(await revokeToken(db, t.id, t.namespace)).toBe(true);
    expect(await authenticate(db, a.secret)).toBeNull();
    expect(await authenticate(db, b.secret)).toBeNull();
    expect(await activeTokenIds(db, [a.viewer.tokenId, b.viewer.tokenId])).toEqual(new Set());
    const rows = await listTokens(db, t.namespace);
    expect(rows.every((r) => r.revokedAt)).toBe(true);
  });

  it("a session whose parent is revoked without the cascade (another writer) still stops authenticating", async () => {
    const t = await buildToken();
    const s = await open(t.secret);
    await db.apiToken.update({ where: { id: t.id }, data: { revokedAt: new Date() } });
    expect(await authenticate(db, s.secret)).toBeNull();
    expect(await activeTokenIds(db, [s.viewer.tokenId])).toEqual(new Set());
  });

  it("sessions expire; a session's secret logs in as the token it was opened with (no nesting)", async () => {
    const t = await buildToken();
    const old = await openSession(db, t.secret, { ttlMs: 1_000, now: new Date(Date.now() - 5_000) });
    expect(old).not.toBeNull();
    expect(await authenticate(db, old!.secret)).toBeNull();
    expect(await activeTokenIds(db, [old!.viewer.tokenId])).toEqual(new Set());

    const s = await open(t.secret);
    const nested = await open(s.secret);
    const row = (await listTokens(db, t.namespace)).find((x) => x.id === nested.viewer.tokenId);
    expect(row?.parentId).toBe(t.id);
  });
});

describe("live connections", () => {
  const gated = { name: "sessions", nodes: [{ id: "g", kind: "gate", with: { title: "hold" } }] };

  /** A run held at a gate, and a WebSocket subscription to it with `secret`. */
  async function watch(secret: string, runId: string) {
    const ws = wsClient(server, secret);
    const got: ExecutionResult[] = [];
    const done = collect(ws, RUN_EVENTS, { runId }, (r) => void got.push(r)).done.catch((e) => e);
    await eventually(async () => got.length > 0);
    return { ws, got, done };
  }

  it("logging out closes that session's socket with 4403 within 10 s; another session of the same token stays", async () => {
    const t = await buildToken("OPERATOR");
    const runId = (await gqlData(server, t.secret, SUBMIT, { input: { spec: gated } })).submitRun.id as string;
    const leaving = await open(t.secret);
    const staying = await open(t.secret);
    const a = await watch(leaving.secret, runId);
    const b = await watch(staying.secret, runId);

    const at = Date.now();
    expect(await endSession(db, leaving.secret)).toBe(true);
    expect((await a.done).code).toBe(4403);
    expect(Date.now() - at).toBeLessThan(10_000);

    // The other session is still live: it sees the gate decided after the logout.
    const seen = b.got.length;
    await gqlData(
      server,
      staying.secret,
      `mutation($runId: ID!) { humanDecision(input: { runId: $runId, nodeKey: "g", decision: APPROVE }) { id } }`,
      { runId },
    );
    await eventually(async () => b.got.length > seen);
    await a.ws.dispose();
    await b.ws.dispose();
  });

  it("revoking the token closes the sockets of its sessions within 10 s", async () => {
    const t = await buildToken("OPERATOR");
    const runId = (await gqlData(server, t.secret, SUBMIT, { input: { spec: gated } })).submitRun.id as string;
    const s = await open(t.secret);
    const a = await watch(s.secret, runId);
    const at = Date.now();
    await revokeToken(db, t.id, t.namespace);
    expect((await a.done).code).toBe(4403);
    expect(Date.now() - at).toBeLessThan(10_000);
    await a.ws.dispose();
  });
});
