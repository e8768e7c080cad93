/**
 * Failed-authentication limiting against real server processes: a valid credential always
 * gets through (only failures are limited), failures are counted in PostgreSQL across
 * processes, stale session cookies are not attacks, and X-Forwarded-For is believed only
 * from SIGNALBOX_TRUSTED_PROXIES (the client is the rightmost untrusted address).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endSession, openSession } from "../../lib/auth/sessions";
import { createToken } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { type ServerProc, startServer, testDb } from "./graphql-harness";
import { ackedSocket, post, upgradeStatus } from "./hardening-helpers";

const PROXY = "127.0.43.1";
const VIEWER = { query: "{ viewer { name } }" };

let db: Db;
let a: ServerProc;
let b: ServerProc;
let valid: string;

beforeAll(async () => {
  db = testDb();
  [a, b] = await Promise.all([
    startServer({ worker: false }),
    startServer({ worker: false, env: { SIGNALBOX_TRUSTED_PROXIES: `${PROXY},10.200.0.0/16` } }),
  ]);
  valid = (await createToken(db, { namespace: `authlim-${randomUUID().slice(0, 8)}`, name: "alice", role: "VIEWER" }))
    .secret;
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.$disconnect();
});

const guess = () => `sbx_guess_${randomUUID()}`;
const status = async (server: ServerProc, token: string | null, opts: Parameters<typeof post>[3] = {}) =>
  (await post(server, token, VIEWER, opts)).status;

describe("only failures are limited", () => {
  it("after 25 bad tokens from an address, its valid token still works (HTTP, WebSocket, cookie); the bad ones get 429", async () => {
    const from = { localAddress: "127.0.43.10" };
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push(await status(a, guess(), from));
    expect(statuses).toEqual([...Array(20).fill(401), ...Array(5).fill(429)]);
    const limited = await post(a, guess(), VIEWER, from);
    expect(limited.json().errors[0].extensions.code).toBe("RATE_LIMITED");
    // The rightful owner is never locked out: bearer, WebSocket upgrade + connection_init, session cookie.
    const ok = await post(a, valid, VIEWER, from);
    expect(ok.status).toBe(200);
    expect(ok.json().data.viewer.name).toBe("alice");
    expect((await upgradeStatus(a, from)).status).toBe(101);
    (await ackedSocket(a, valid, from)).ws.close();
    const session = await openSession(db, valid);
    const viaCookie = await post(a, null, VIEWER, {
      ...from,
      headers: { cookie: `signalbox_session=${session!.secret}` },
    });
    expect(viaCookie.status).toBe(200);
    // Still limited for guesses, and other addresses are unaffected.
    expect(await status(a, guess(), from)).toBe(429);
    expect(await status(a, guess(), { localAddress: "127.0.43.9" })).toBe(401);
  });

  it("failures are counted in the database, across server processes", async () => {
    const from = { localAddress: "127.0.43.11" };
    for (let i = 0; i < 10; i++) expect(await status(a, guess(), from)).toBe(401);
    for (let i = 0; i < 10; i++) expect(await status(b, guess(), from)).toBe(401);
    expect(await status(a, guess(), from)).toBe(429);
    expect(await status(b, guess(), from)).toBe(429);
    expect(await status(b, valid, from)).toBe(200);
  });

  it("a stale session cookie (logged out) 50 times is not an attack: the address is not limited", async () => {
    const from = { localAddress: "127.0.43.12" };
    const session = await openSession(db, valid);
    await endSession(db, session!.secret);
    const cookie = { cookie: `signalbox_session=${session!.secret}` };
    for (let i = 0; i < 50; i++) {
      const r = await post(a, null, VIEWER, { ...from, headers: cookie });
      expect(r.status).toBe(401);
    }
    // The address has not used up any of its failures.
    for (let i = 0; i < 20; i++) expect(await status(a, guess(), from)).toBe(401);
    expect(await status(a, guess(), from)).toBe(429);
  });
});

describe("SIGNALBOX_TRUSTED_PROXIES", () => {
  it("X-Forwarded-For from a peer that is not a trusted proxy is ignored (the peer is limited)", async () => {
    const from = "127.0.43.13";
    for (let i = 0; i < 20; i++) {
      const forwarded = { localAddress: from, headers: { "x-forwarded-for": `10.9.${i}.1` } };
      expect(await status(b, guess(), forwarded)).toBe(401);
    }
    expect(await status(b, guess(), { localAddress: from, headers: { "x-forwarded-for": "10.9.99.1" } })).toBe(429);
  });

  it("from a trusted proxy, the rightmost untrusted address of X-Forwarded-For is the client: clients are separated", async () => {
    const via = (xff: string) => ({ localAddress: PROXY, headers: { "x-forwarded-for": xff } });
    for (let i = 0; i < 20; i++) expect(await status(b, guess(), via("10.1.0.1"))).toBe(401);
    expect(await status(b, guess(), via("10.1.0.1"))).toBe(429);
    // Another client behind the same proxy is not affected.
    expect(await status(b, guess(), via("10.1.0.2"))).toBe(401);
    // A client cannot escape by prepending addresses of its own choosing; a chain of
    // trusted proxies (10.200.0.0/16) is walked through.
    expect(await status(b, guess(), via("6.6.6.6, 10.1.0.1"))).toBe(429);
    expect(await status(b, guess(), via("10.1.0.1, 10.200.3.4"))).toBe(429);
    // Its valid token still works.
    expect(await status(b, valid, via("10.1.0.1"))).toBe(200);
    // The proxy's own address was never limited.
    expect(await status(b, guess(), { localAddress: PROXY })).toBe(401);
  });
});
