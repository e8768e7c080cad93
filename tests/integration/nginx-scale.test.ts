/**
 * SPEC §13 end to end: real nginx (deploy/nginx.conf as shipped) in front of two server
 * processes and one worker process on one PostgreSQL. 100 graphql-ws and 20 graphql-sse
 * subscribers (the real clients) watch one run through nginx while events are appended;
 * one server is killed with -9 mid-run, then both are restarted one after the other
 * (SIGTERM, start, SIGTERM the other). Every subscriber resumes by seq through nginx on the
 * surviving server and ends with every event exactly once. A per-token operation limit holds
 * across both servers, and with SIGNALBOX_TRUSTED_PROXIES the limits see the real client
 * address from X-Forwarded-For.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newSecret } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { appendEventsNow } from "../../lib/events/append";
import {
  APPROVE,
  GATED_SPEC,
  gqlData,
  makeTokens,
  type Proc,
  range,
  type ServerProc,
  SUBMIT,
  sseClient,
  startServer,
  startWorker,
  type Tokens,
  testDb,
  wsClient,
} from "./graphql-harness";
import { eventually, post, sleep } from "./hardening-helpers";
import { waitForRun } from "./helpers";
import { type Nginx, startNginx } from "./nginx";

const ENV = {
  // nginx connects from 127.0.0.1: believe its X-Forwarded-For, and no one else's.
  SIGNALBOX_TRUSTED_PROXIES: "127.0.0.1",
  SIGNALBOX_RATE_LIMIT: "5,30",
  SIGNALBOX_AUTH_FAILURE_LIMIT: "5",
  // Every test client connects from 127.0.0.1: room for them twice (a killed server's rows
  // count until it misses 3 heartbeats).
  SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS: "1000",
};
const WS_SUBSCRIBERS = 100;
const SSE_SUBSCRIBERS = 20;
const TAIL = /* GraphQL */ `
  subscription Tail($runId: ID!, $afterSeq: Int) { runEvents(runId: $runId, afterSeq: $afterSeq) { seq } }`;

let db: Db;
let t: Tokens;
let a: ServerProc;
let b: ServerProc;
let worker: Proc;
let proxy: Nginx;
const portOf = (s: ServerProc) => Number(new URL(s.url).port);
/**
 * A server started again on the port nginx knows it by, as README "Running several
 * instances" says: ready on its own, then back in nginx's rotation (nginx retries a server
 * it saw fail only after `fail_timeout`) before the next one is stopped.
 */
async function restart(port: number): Promise<ServerProc> {
  const since = Date.now();
  const s = await startServer({ worker: false, env: { ...ENV, PORT: String(port) } });
  expect((await fetch(`${s.url}/api/ready`)).status).toBe(200);
  await eventually(
    async () => {
      await fetch(`${proxy.url}/api/health`);
      return proxy.served(port, since);
    },
    30_000,
    `nginx to send requests to the restarted server on ${port}`,
  );
  return s;
}

beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
  [a, b] = await Promise.all([startServer({ worker: false, env: ENV }), startServer({ worker: false, env: ENV })]);
  worker = await startWorker();
  proxy = await startNginx([portOf(a), portOf(b)]);
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
  await db?.$disconnect();
});

/** Fresh VIEWER tokens of the test namespace (one per simulated browser, as in production). */
async function viewerTokens(n: number): Promise<string[]> {
  const secrets = Array.from({ length: n }, () => newSecret());
  await db.apiToken.createMany({
    data: secrets.map((s, i) => ({
      namespace: t.namespace,
      name: `nginx-${i}`,
      role: "VIEWER" as const,
      tokenHash: hashToken(s),
    })),
  });
  return secrets;
}

describe("limits through nginx", () => {
  it("a token's operation budget holds across both servers behind nginx", async () => {
    const [token] = await viewerTokens(1);
    const started = Date.now();
    const statuses: number[] = [];
    // 80 operations, 4 at a time: nginx spreads them over both servers (round robin).
    for (let i = 0; i < 20; i++) {
      const batch = await Promise.all(
        Array.from({ length: 4 }, () => post(proxy, token, { query: "{ viewer { name } }" })),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    const seconds = (Date.now() - started) / 1000;
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // One shared budget: burst 30 plus 5/s refill (and what one flush in flight lets by) —
    // not the 60 that two separate per-process buckets would admit.
    expect(admitted).toBeGreaterThanOrEqual(25);
    expect(admitted).toBeLessThanOrEqual(Math.min(50, 30 + 5 * seconds + 12));
  });

  it("failed authentications count per real client address (X-Forwarded-For from nginx), across both servers", async () => {
    const bad = `sbx_${"x".repeat(40)}`;
    const from = (localAddress: string) => post(proxy, bad, { query: "{ viewer { name } }" }, { localAddress });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await from("127.0.0.77")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    // Another client behind the same nginx is not blocked: the limit is not nginx's address.
    expect((await from("127.0.0.78")).status).toBe(401);
    // A client cannot pick its own address by sending X-Forwarded-For: nginx appends the real one.
    const spoofed = await post(
      proxy,
      bad,
      { query: "{ viewer { name } }" },
      { localAddress: "127.0.0.77", headers: { "x-forwarded-for": "10.9.9.9" } },
    );
    expect(spoofed.status).toBe(429);
  });
});

/** One subscriber that resumes by seq through nginx whenever its stream breaks. */
function subscriber(kind: "ws" | "sse", token: string, runId: string) {
  const seqs: number[] = [];
  let resumes = 0;
  let lastError = "";
  let failures = 0;
  let lastAtRetry = 0;
  let target = Number.POSITIVE_INFINITY;
  let stopped = false;
  let wake = () => {};
  const last = () => seqs.at(-1) ?? 0;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const client = kind === "ws" ? wsClient(proxy, token) : sseClient(proxy, token);
      const end = (err?: unknown) => {
        wake = () => {};
        void Promise.resolve(client.dispose()).catch(() => {});
        if (err) reject(err);
        else resolve();
      };
      wake = () => {
        if (last() >= target || stopped) end();
      };
      client.subscribe(
        { query: TAIL, variables: { runId, afterSeq: last() } },
        {
          next: (r) => {
            if (r.errors?.length) return end(new Error(JSON.stringify(r.errors)));
            seqs.push((r.data as { runEvents: { seq: number } }).runEvents.seq);
            wake();
          },
          error: (err) => end(err ?? new Error("stream error")),
          complete: () => end(),
        },
      );
    });
  const done = (async () => {
    while (last() < target && !stopped) {
      try {
        await once();
      } catch (err) {
        // The server died or is restarting (1006 / 1012 / a cut stream / 502): resume.
        const e = err as { code?: number; reason?: string; message?: string };
        lastError = `${e?.code ?? ""} ${e?.reason ?? ""} ${e?.message ?? String(err)}`;
      }
      if (last() < target && !stopped) {
        // Back off like a real client (jittered, doubling while nothing arrives).
        const progressed = last() > lastAtRetry;
        failures = progressed ? 0 : failures + 1;
        lastAtRetry = last();
        resumes++;
        await sleep(Math.min(2_000, 100 * 2 ** failures) * (0.5 + Math.random()));
      }
    }
  })();
  return {
    kind,
    seqs,
    last,
    resumes: () => resumes,
    lastError: () => lastError,
    finish(at: number) {
      target = at;
      wake();
    },
    stop() {
      stopped = true;
      wake();
    },
    done,
  };
}

describe("subscribers through nginx across kill -9 and a rolling restart", () => {
  it("every subscriber resumes on the other server with no gap and no duplicate; nothing is lost", async () => {
    const runId = randomUUID();
    await db.run.create({ data: { id: runId, namespace: t.namespace, spec: {}, params: {}, status: "RUNNING" } });
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const r = await appendEventsNow(db, runId, [
          { type: "LOG", payload: { level: "INFO", message: `line ${produced + 1}`, nodeKey: "tick" } },
        ]);
        if (r) produced = r.lastSeq;
        await sleep(40);
      }
    })();
    const tokens = await viewerTokens(WS_SUBSCRIBERS + SSE_SUBSCRIBERS);
    const subs = tokens.map((tok, i) => subscriber(i < WS_SUBSCRIBERS ? "ws" : "sse", tok, runId));
    /** Every subscriber has seen at least `seq` (so it is live, or has resumed, past it). */
    const allPast = async (seq: number, what: string) => {
      const ok = await eventually(async () => subs.every((s) => s.last() >= seq), 60_000, what).catch(() => false);
      if (!ok) {
        const behind = subs.filter((s) => s.last() < seq);
        const sample = behind.slice(0, 3).map((s) => `${s.kind} at ${s.last()}: ${s.lastError()}`);
        throw new Error(`${behind.length} subscribers behind seq ${seq} (${what}); ${sample.join("; ")}`);
      }
    };
    try {
      await allPast(10, "start");

      // kill -9 one server mid-run: its subscribers reconnect through nginx to the other.
      const resumesBefore = subs.reduce((n, s) => n + s.resumes(), 0);
      a.child.kill("SIGKILL");
      await new Promise((r) => a.child.once("exit", r));
      await allPast(produced + 10, "after kill -9");
      const resumedAfterKill = subs.reduce((n, s) => n + s.resumes(), 0) - resumesBefore;
      // nginx spread the subscribers over both servers, so the kill cut off a good share.
      expect(resumedAfterKill).toBeGreaterThanOrEqual(20);

      // A run executed by the worker process, driven through nginx while one server is down.
      const { submitRun } = await gqlData(proxy, t.operator, SUBMIT, { input: { spec: GATED_SPEC } });

      // Rolling restart: the killed one comes back, then each in turn is stopped (SIGTERM:
      // 1012 / stream end, clients resume elsewhere) and started again.
      a = await restart(portOf(a));
      await b.stop();
      await allPast(produced + 5, "after SIGTERM of the second server");
      b = await restart(portOf(b));
      await a.stop();
      await allPast(produced + 5, "after SIGTERM of the first server");
      a = await restart(portOf(a));

      // The gate waits once the worker got there: approve as soon as it does.
      await eventually(
        async () => {
          const ok = await gqlData(proxy, t.operator, APPROVE, { runId: submitRun.id, key: "review" }).then(
            () => true,
            () => false,
          );
          if (!ok) await sleep(400);
          return ok;
        },
        20_000,
        "the gate to wait",
      );
      const run = await waitForRun(db, submitRun.id, (r) => r.finishedAt !== null);
      expect(run.status).toBe("SUCCEEDED");

      producing = false;
      await producer;
      for (const s of subs) s.finish(produced);
      await Promise.race([
        Promise.all(subs.map((s) => s.done)),
        sleep(30_000).then(() => {
          throw new Error("subscribers did not reach the last event");
        }),
      ]);
      const expected = range(1, produced);
      for (const s of subs) expect({ kind: s.kind, seqs: s.seqs }).toEqual({ kind: s.kind, seqs: expected });
      expect(subs.filter((s) => s.kind === "sse" && s.resumes() > 0).length).toBeGreaterThan(0);
    } finally {
      producing = false;
      for (const s of subs) s.stop();
      await producer;
      if (process.env.SBX_TEST_VERBOSE)
        console.error(proxy.errorLog(), a.output().slice(-3000), b.output().slice(-3000));
    }
  }, 300_000);
});
