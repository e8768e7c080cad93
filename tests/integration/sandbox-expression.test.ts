/**
 * JSONata is OPERATOR-written code: against the real server, a runaway expression fails its
 * node within 2 s while /api/health answers promptly and a live subscription on another run
 * keeps receiving events (the evaluation runs in a worker thread under time, depth,
 * sequence and memory budgets).
 */
import { describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import {
  collect,
  type ExecutionResult,
  gqlData,
  makeTokens,
  RUN_EVENTS,
  type ServerProc,
  SUBMIT,
  serveForTests,
  type Tokens,
  wsClient,
} from "./graphql-harness";
import { eventually, request, sleep } from "./hardening-helpers";

let server: ServerProc;
let db: Db;
let tokens: Tokens;

// A 1 s budget (the default is 2 s): a runaway is killed at 1.25 s, inside the 2 s bar.
serveForTests({ env: { SIGNALBOX_EXPRESSION_TIMEOUT_MS: "1000" } }, async (h) => {
  ({ server, db } = h);
  tokens = await makeTokens(db);
});

const submit = async (spec: unknown) =>
  (await gqlData(server, tokens.operator, SUBMIT, { input: { spec } })).submitRun.id as string;

const nodesOf = (runId: string) => db.runNode.findMany({ where: { runId }, orderBy: { position: "asc" } });

async function finishedRun(runId: string, timeoutMs = 15_000) {
  return eventually(
    async () => {
      const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
      return run.finishedAt ? run : null;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

describe("JSONata sandbox", () => {
  it("runaway expressions fail their nodes within 2 s; health and live subscriptions stay responsive", async () => {
    // A live run on the side: a sleep reports progress every 500 ms for 6 s.
    const ticker = await submit({ name: "ticker", nodes: [{ id: "tick", kind: "sleep", with: { ms: 6_000 } }] });
    const client = wsClient(server, tokens.operator);
    const arrivals: number[] = [];
    const sub = collect(client, RUN_EVENTS, { runId: ticker }, (_r: ExecutionResult) => {
      arrivals.push(Date.now());
    });
    await eventually(async () => arrivals.length > 0, 10_000, "the ticker's first event");

    const began = Date.now();
    const evil = await submit({
      name: "evil",
      nodes: [
        // The example: 10^14 additions (refused by the sequence budget).
        { id: "sums", kind: "transform", with: { expression: "$sum([1..9999999].($sum([1..9999999])))" } },
        // Within the sequence budget, but 10^10 steps: stopped by the time budget.
        { id: "loops", kind: "transform", with: { expression: "$sum([1..99999].($sum([1..99999])))" } },
        // One native step that never yields (catastrophic backtracking): the thread is killed.
        {
          id: "regex",
          kind: "transform",
          with: { expression: '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)' },
        },
        // Deep recursion: stopped by the depth budget.
        {
          id: "deep",
          kind: "gate",
          with: { title: "t", show: "( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000) )" },
        },
        // A huge result: refused by the result-size cap.
        {
          id: "big",
          kind: "map",
          with: {
            over: "$pad('', 1100000, 'x')",
            node: { kind: "sleep", with: { ms: 1 } },
          },
        },
      ],
    });

    // Meanwhile /api/health answers within a fraction of a second every time.
    let worstHealthMs = 0;
    let healthChecks = 0;
    let done = false;
    const finished = finishedRun(evil).finally(() => {
      done = true;
    });
    while (!done) {
      const t = Date.now();
      const res = await request(`${server.url}/api/health`);
      expect(res.status).toBe(200);
      worstHealthMs = Math.max(worstHealthMs, Date.now() - t);
      healthChecks++;
      await sleep(25);
    }
    const run = await finished;
    const ended = Date.now();
    expect(run.status).toBe("FAILED");
    expect(healthChecks).toBeGreaterThan(5);
    expect(worstHealthMs).toBeLessThan(500);

    const nodes = Object.fromEntries((await nodesOf(evil)).map((n) => [n.key, n]));
    const expectFailed = (key: string, message: RegExp) => {
      const n = nodes[key];
      expect(n.status, key).toBe("FAILED");
      expect(n.error, key).toMatch(message);
      expect(n.finishedAt!.getTime() - n.startedAt!.getTime(), key).toBeLessThan(2_000);
    };
    expectFailed("sums", /sequence longer than its budget \(100000 items\)/);
    expectFailed("loops", /ran longer than its time budget \(1000 ms\)/);
    expectFailed("regex", /ran longer than its time budget \(1000 ms\)/);
    expectFailed("deep", /nested deeper than its depth budget/);
    expectFailed("big", /expression result is \d+ bytes; the limit is 1048576/);

    // The subscriber on the other run kept receiving events while the evaluations ran.
    expect(arrivals.filter((t) => t > began && t < ended).length).toBeGreaterThanOrEqual(1);
    sub.cancel();
    await client.dispose();
  }, 30_000);

  it("a normal transform still works, and the pool keeps serving after a thread was killed", async () => {
    const ok = await submit({
      name: "fine",
      params: { xs: [1, 2, 3] },
      nodes: [
        {
          id: "kill",
          kind: "transform",
          with: { expression: '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)' },
        },
        { id: "a", kind: "transform", with: { expression: "$sum($$.params.xs)" } },
        { id: "b", kind: "transform", needs: ["kill"], trigger: "all_done", with: { expression: "{ 'n': 42 }" } },
      ],
    });
    await finishedRun(ok);
    const nodes = Object.fromEntries((await nodesOf(ok)).map((n) => [n.key, n]));
    expect(nodes.kill.status).toBe("FAILED");
    expect(nodes.a.output).toBe(6);
    expect(nodes.b.status).toBe("SUCCEEDED");
    expect(nodes.b.output).toEqual({ n: 42 });
  }, 20_000);
});
