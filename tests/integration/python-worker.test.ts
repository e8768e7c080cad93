/**
 * examples/workers/python_worker.py against a real server: real python3 processes speaking
 * GraphQL over HTTP (claim with long-poll, heartbeat, report, complete/fail/release).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { gqlData, type ServerProc, SUBMIT, serveForTests, type Tokens } from "./graphql-harness";
import { allEvents, completionsByNode, expectGapless, finished, waitForNode, waitForRun } from "./helpers";

const WORKER = path.resolve(import.meta.dirname, "../../examples/workers/python_worker.py");

let server: ServerProc;
let db: Db;
let t: Tokens;

serveForTests({}, (h) => {
  ({ server, db, t } = h);
});

const children: ChildProcess[] = [];
const proxies: http.Server[] = [];
afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGKILL");
        }),
    ),
  );
  for (const p of proxies) p.close();
});

interface PyWorker {
  child: ChildProcess;
  output(): string;
  /** Exit code, once the process ended and its output was read. */
  exit: Promise<number | null>;
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
}

function python(token: string, queue: string, extra: string[] = [], url = server.url): PyWorker {
  const child = spawn("python3", [WORKER, "--url", url, "--token", token, "--queue", queue, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    if (process.env.SBX_TEST_VERBOSE) process.stderr.write(d);
    for (const l of [...listeners]) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = () => {
        if (pattern.test(out)) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the python worker did not print ${pattern} in ${ms} ms; it printed:\n${out}`));
      }, ms);
      listeners.add(check);
      check();
    });
  return { child, output: () => out, exit, waitFor };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const ext = (id: string, queue: string, input: Record<string, unknown>, needs: string[] = []) => ({
  id,
  kind: "external",
  needs,
  with: { queue, input, leaseMs: 3000 },
});
const submit = async (queue: string, nodes: unknown[]) =>
  (await gqlData(server, t.operator, SUBMIT, { input: { spec: { name: `py-${queue.slice(0, 8)}`, nodes } } })).submitRun
    .id as string;

const RUN = /* GraphQL */ `
  query($id: ID!) {
    run(id: $id) {
      status createdAt cost { spent } results { rows }
      nodes { key status attempt output metrics cost progress error startedAt finishedAt }
      events(first: 1000, types: [LOG]) { events { ... on LogEvent { level message nodeKey } } }
    }
  }`;
const runOf = async (id: string) => (await gqlData(server, t.viewer, RUN, { id })).run;
const CANCEL = `mutation($id: ID!) { cancelRun(id: $id) { status } }`;

/**
 * A proxy in front of the server that counts requests and answers the first ones with the
 * given injected errors (HTTP status + GraphQL error code) instead of forwarding them.
 */
function proxy(inject: { status: number; code: string }[] = []) {
  let requests = 0;
  const target = new URL(server.url);
  const p = http.createServer((req, res) => {
    requests++;
    const fail = inject.shift();
    if (fail) {
      req.resume();
      res.writeHead(fail.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ message: `injected ${fail.code}`, extensions: { code: fail.code } }] }));
      return;
    }
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    res.on("close", () => up.destroy()); // the worker went away: so does its long-poll
    req.pipe(up);
  });
  proxies.push(p);
  return {
    requests: () => requests,
    listen: (port = 0) =>
      new Promise<string>((resolve) =>
        p.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(p.address() as AddressInfo).port}`)),
      ),
  };
}

describe("examples/workers/python_worker.py", () => {
  it("runs a DAG's external nodes (2 parallel, 1 after them): outputs, results, metrics, logs, cost; each node completed once", async () => {
    const queue = `py-${randomUUID()}`;
    const w = python(t.operator, queue, ["--concurrency", "2", "--lease-ms", "3000"]);
    await w.waitFor(/waiting for work/);
    await sleep(1_000); // both slots are parked in their long-poll
    // a and b outlast their 3 s lease: they only complete because the worker heartbeats.
    const id = await submit(queue, [
      ext("a", queue, { rows: 3, sleep: 4 }),
      ext("b", queue, { rows: 2, sleep: 4 }),
      ext("c", queue, { rows: 1 }, ["a", "b"]),
    ]);
    const done = await waitForRun(db, id, finished, 30_000);
    expect(done.status).toBe("SUCCEEDED");

    const run = await runOf(id);
    const node = (key: string) => run.nodes.find((n: { key: string }) => n.key === key);
    for (const [key, rows, mean] of [
      ["a", 3, 0.6667],
      ["b", 2, 0.75],
      ["c", 1, 1],
    ] as const) {
      expect(node(key)).toMatchObject({
        status: "SUCCEEDED",
        attempt: 1,
        output: { node: key, rows, mean },
        metrics: { mean_score: mean },
        cost: expect.closeTo(rows * 0.01, 6),
        progress: 1,
        error: null,
      });
      expect(run.events.events).toContainEqual({
        level: "INFO",
        message: `scoring ${rows} rows (attempt 1)`,
        nodeKey: key,
      });
      expect(run.events.events).toContainEqual({ level: "INFO", message: `mean score ${mean}`, nodeKey: key });
    }
    expect(run.cost.spent).toBeCloseTo(0.06, 6);
    const rowsOf = (key: string) => run.results.rows.filter((r: { node: string }) => r.node === key);
    expect(rowsOf("a")).toEqual([
      { node: "a", row: 0, score: 0.333 },
      { node: "a", row: 1, score: 0.667 },
      { node: "a", row: 2, score: 1 },
    ]);
    expect(rowsOf("b")).toEqual([
      { node: "b", row: 0, score: 0.5 },
      { node: "b", row: 1, score: 1 },
    ]);
    expect(rowsOf("c")).toEqual([{ node: "c", row: 0, score: 1 }]);
    expect(run.results.rows).toHaveLength(6);
    // The idle worker was woken by the submit (long-poll), not by a poll 25 s later.
    expect(Date.parse(node("a").startedAt) - Date.parse(run.createdAt)).toBeLessThan(1_000);
    // a and b ran at the same time; c only after both.
    const [a, b, c] = ["a", "b", "c"].map((k) => ({
      start: Date.parse(node(k).startedAt),
      end: Date.parse(node(k).finishedAt),
    }));
    expect(a.start).toBeLessThan(b.end);
    expect(b.start).toBeLessThan(a.end);
    expect(c.start).toBeGreaterThanOrEqual(Math.max(a.end, b.end));

    const events = await allEvents(db, id);
    expectGapless(events);
    expect(Object.fromEntries(completionsByNode(events))).toEqual({ a: 1, b: 1, c: 1 });
    expect(JSON.stringify(events)).not.toMatch(/lease expired|attempt \d+ failed/);
    for (const key of ["a", "b", "c"]) expect(w.output()).toContain(`${key}: completed`);
  });

  it("a node whose input says fail ends FAILED with the worker's message", async () => {
    const queue = `py-${randomUUID()}`;
    python(t.operator, queue);
    const id = await submit(queue, [ext("bad", queue, { rows: 2, fail: true, reason: "bad batch" })]);
    expect((await waitForRun(db, id, finished)).status).toBe("FAILED");
    const run = await runOf(id);
    expect(run.status).toBe("FAILED");
    expect(run.nodes[0]).toMatchObject({ key: "bad", status: "FAILED", attempt: 1, error: "score failed: bad batch" });
    expect(run.events.events).toContainEqual({
      level: "ERROR",
      message: "attempt 1 failed: score failed: bad batch",
      nodeKey: "bad",
    });
  });

  it("cancel mid-job: the heartbeat's LEASE_LOST stops the job, and the worker claims the next work", async () => {
    const queue = `py-${randomUUID()}`;
    const w = python(t.operator, queue, ["--lease-ms", "3000"]); // one job at a time
    await w.waitFor(/waiting for work/);
    const slow = await submit(queue, [ext("slow", queue, { rows: 1, sleep: 10 })]);
    await w.waitFor(/claimed slow/);
    await waitForNode(db, slow, "slow", "RUNNING");
    const cancelled = Date.now();
    await gqlData(server, t.operator, CANCEL, { id: slow });
    await w.waitFor(/slow: lease lost, stopping the job/, 3_000); // heartbeats come every 1 s
    await w.waitFor(/slow: stopped, lease lost/, 2_000);
    const next = await submit(queue, [ext("next", queue, { rows: 2 })]);
    expect((await waitForRun(db, next, finished, 10_000)).status).toBe("SUCCEEDED");
    // Before the slow job's 10 s were up: its slot was free again. (The worker says so
    // after completeNode answers, which can be a moment after the run is recorded.)
    expect(Date.now() - cancelled).toBeLessThan(9_500);
    await w.waitFor(/next: completed/, 5_000);

    const run = await runOf(slow);
    expect(run.status).toBe("CANCELLED");
    expect(run.nodes[0]).toMatchObject({ key: "slow", status: "CANCELLED" });
    expect(run.results.rows).toEqual([]);
    const events = await allEvents(db, slow);
    expectGapless(events);
    expect(completionsByNode(events).size).toBe(0);
    expect(w.output()).not.toMatch(/slow: (completed|failed|released)/);
  });

  it("an idle worker sends one request per slot while it waits, and SIGTERM exits 0 without waiting out the long-poll", async () => {
    const p = proxy();
    const w = python(t.operator, `py-${randomUUID()}`, ["--concurrency", "2"], await p.listen());
    await w.waitFor(/waiting for work/);
    await sleep(3_000);
    expect(p.requests()).toBe(3); // the token check at start, then one long-poll claim per slot
    const signalled = Date.now();
    w.child.kill("SIGTERM");
    expect(await within(w.exit, 2_000, "exit after SIGTERM")).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(2_000);
    expect(w.output()).toContain("stopped");
  });

  it("SIGTERM mid-job: a job that finishes within --grace completes; one that does not is released, its attempt unspent", async () => {
    const queue = `py-${randomUUID()}`;
    const finishing = python(t.operator, queue);
    const quick = await submit(queue, [ext("quick", queue, { rows: 2, sleep: 2 })]);
    await finishing.waitFor(/claimed quick/);
    finishing.child.kill("SIGTERM");
    expect(await within(finishing.exit, 6_000, "exit after the job")).toBe(0);
    expect(finishing.output()).toContain("quick: completed");
    expect((await waitForRun(db, quick, finished)).status).toBe("SUCCEEDED");

    const releasing = python(t.operator, queue, ["--grace", "1"]);
    const long = await submit(queue, [ext("long", queue, { rows: 1, sleep: 30 })]);
    await releasing.waitFor(/claimed long/);
    const signalled = Date.now();
    releasing.child.kill("SIGTERM");
    expect(await within(releasing.exit, 4_000, "exit after the grace")).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(4_000);
    expect(releasing.output()).toContain("long: released");
    const n = await waitForNode(db, long, "long", "QUEUED");
    expect(n.attempt).toBe(0); // the next claim is attempt 1 again
    const run = await runOf(long);
    expect(run.events.events).toContainEqual({
      level: "WARNING",
      message: "attempt 1 released unfinished: the worker is shutting down",
      nodeKey: "long",
    });
    await gqlData(server, t.operator, CANCEL, { id: long });
  });

  it("rides out connection refused, SERVICE_UNAVAILABLE and RATE_LIMITED with backoff", async () => {
    const p = proxy([
      { status: 503, code: "SERVICE_UNAVAILABLE" },
      { status: 429, code: "RATE_LIMITED" },
    ]);
    // A port nobody listens on yet: connection refused until the proxy opens it.
    const probe = http.createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise((r) => probe.close(r));
    const queue = `py-${randomUUID()}`;
    const w = python(t.operator, queue, [], `http://127.0.0.1:${port}`);
    await w.waitFor(/cannot claim \(UNREACHABLE: .*Connection refused/);
    await p.listen(port);
    await w.waitFor(/cannot claim \(SERVICE_UNAVAILABLE/);
    await w.waitFor(/cannot claim \(RATE_LIMITED/);
    const id = await submit(queue, [ext("after", queue, { rows: 1 })]);
    expect((await waitForRun(db, id, finished, 30_000)).status).toBe("SUCCEEDED");
    expect(w.child.exitCode).toBeNull();
  });

  it("refuses to run with a VIEWER or an unknown token: one sentence on stderr, non-zero exit", async () => {
    for (const [token, says] of [
      [
        t.viewer,
        /^python_worker: the token may not run workers \(it needs the OPERATOR role\); use an operator token\.\n$/,
      ],
      ["sbx_not_a_real_token_0123456789abcdef", /^python_worker: the server did not accept the token; .*\.\n$/],
    ] as const) {
      const w = python(token, `py-${randomUUID()}`);
      expect(await within(w.exit, 5_000, "exit on a refused token")).toBe(4);
      expect(w.output()).toMatch(says);
      expect(w.output().trim().split("\n")).toHaveLength(1);
    }
  });
});
