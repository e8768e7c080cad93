/**
 * Engine caps on the real server (small limits set through the environment so the test is
 * fast): unfinished runs per namespace (SIGNALBOX_MAX_ACTIVE_RUNS), map children per run
 * (SIGNALBOX_MAX_DYNAMIC_NODES), and the longest timeouts a spec may ask for (a day for
 * nodes, a week for gates; refused at validation with the field's path).
 */
import { describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { cancelRun } from "../../lib/engine/control";
import { gql, gqlData, makeTokens, type ServerProc, SUBMIT, serveForTests } from "./graphql-harness";
import { eventually } from "./hardening-helpers";

let server: ServerProc;
let db: Db;

serveForTests({ env: { SIGNALBOX_MAX_ACTIVE_RUNS: "3", SIGNALBOX_MAX_DYNAMIC_NODES: "5" } }, (h) => {
  ({ server, db } = h);
});

const DAY = 24 * 60 * 60 * 1000;
const longSleep = { name: "long", nodes: [{ id: "s", kind: "sleep", with: { ms: 20_000 } }] };

describe("unfinished runs per namespace (SIGNALBOX_MAX_ACTIVE_RUNS=3)", () => {
  it("the fourth unfinished run is refused with RATE_LIMITED; other namespaces and finished runs do not count", async () => {
    const a = await makeTokens(db);
    const b = await makeTokens(db);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3; i++)
        ids.push((await gqlData(server, a.operator, SUBMIT, { input: { spec: longSleep } })).submitRun.id);
      const over = await gql(server, a.operator, SUBMIT, { input: { spec: longSleep } });
      expect(over.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      expect(over.errors?.[0]?.message).toMatch(/already has 3 unfinished runs \(the limit is 3\)/);
      expect(await db.run.count({ where: { namespace: a.namespace } })).toBe(3);
      // A paused run is unfinished too.
      await gqlData(server, a.operator, `mutation($id: ID!) { pauseRun(id: $id) { status } }`, { id: ids[0] });
      expect(
        (await gql(server, a.operator, SUBMIT, { input: { spec: longSleep } })).errors?.[0]?.extensions?.code,
      ).toBe("RATE_LIMITED");
      // Another namespace has its own allowance.
      ids.push((await gqlData(server, b.operator, SUBMIT, { input: { spec: longSleep } })).submitRun.id);
      // A finished run frees its place.
      await gqlData(server, a.operator, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: ids[1] });
      ids.push((await gqlData(server, a.operator, SUBMIT, { input: { spec: longSleep } })).submitRun.id);
    } finally {
      for (const id of ids) await cancelRun(db, id).catch(() => {});
    }
  });

  it("concurrent submits cannot race past the cap; a repeated idempotency key still answers", async () => {
    const a = await makeTokens(db);
    const ids: string[] = [];
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          gql(server, a.operator, SUBMIT, { input: { spec: longSleep, idempotencyKey: `k${i}` } }),
        ),
      );
      const ok = results.filter((r) => r.data?.submitRun);
      ids.push(...ok.map((r) => r.data!.submitRun.id));
      expect(ok).toHaveLength(3);
      expect(results.filter((r) => r.errors?.[0]?.extensions?.code === "RATE_LIMITED")).toHaveLength(5);
      expect(await db.run.count({ where: { namespace: a.namespace } })).toBe(3);
      // Re-sending an accepted submit (a client retry) returns its run, cap or not.
      const accepted = await db.run.findFirstOrThrow({ where: { namespace: a.namespace } });
      const again = await gqlData(server, a.operator, SUBMIT, {
        input: { spec: longSleep, idempotencyKey: accepted.idempotencyKey },
      });
      expect(again.submitRun.id).toBe(accepted.id);
    } finally {
      for (const id of ids) await cancelRun(db, id).catch(() => {});
    }
  });
});

describe("map children per run (SIGNALBOX_MAX_DYNAMIC_NODES=5)", () => {
  it("a map that would take the run past the cap fails with a clear error; the first map ran", async () => {
    const a = await makeTokens(db);
    const spec = {
      name: "two-maps",
      nodes: [
        { id: "first", kind: "map", with: { over: "[1,2,3]", node: { kind: "sleep", with: { ms: 1 } } } },
        {
          id: "second",
          kind: "map",
          needs: ["first"],
          with: { over: "[1,2,3]", node: { kind: "sleep", with: { ms: 1 } } },
        },
      ],
    };
    const { id } = (await gqlData(server, a.operator, SUBMIT, { input: { spec } })).submitRun;
    const run = await eventually(
      async () => {
        const r = await db.run.findUniqueOrThrow({ where: { id } });
        return r.finishedAt ? r : null;
      },
      20_000,
      "the run to finish",
    );
    expect(run.status).toBe("FAILED");
    const first = await db.runNode.findUniqueOrThrow({ where: { runId_key: { runId: id, key: "first" } } });
    const second = await db.runNode.findUniqueOrThrow({ where: { runId_key: { runId: id, key: "second" } } });
    expect(first.status).toBe("SUCCEEDED");
    expect(second.status).toBe("FAILED");
    expect(second.error).toMatch(/would give this run 6 map children; the limit per run is 5/);
    expect(await db.runNode.count({ where: { runId: id, dynamic: true } })).toBe(3);
  });
});

describe("longest timeouts", () => {
  const problemsOf = async (node: Record<string, unknown>) => {
    const t = await makeTokens(db);
    const r = await gql(server, t.operator, SUBMIT, { input: { spec: { name: "t", nodes: [node] } } });
    expect(r.errors?.[0]?.extensions?.code).toBe("INVALID_SPEC");
    return (r.errors?.[0]?.extensions?.problems ?? []) as { path: string; message: string }[];
  };

  it.each([
    ["node timeoutMs", { id: "n", kind: "sleep", with: { ms: 1 }, timeoutMs: DAY + 1 }, "nodes[0].timeoutMs"],
    ["node retryDelayMs", { id: "n", kind: "sleep", with: { ms: 1 }, retryDelayMs: DAY + 1 }, "nodes[0].retryDelayMs"],
    ["sleep ms", { id: "n", kind: "sleep", with: { ms: DAY + 1 } }, "nodes[0].with.ms"],
    [
      "gate timeoutMs",
      { id: "n", kind: "gate", with: { title: "ok?", timeoutMs: 7 * DAY + 1 } },
      "nodes[0].with.timeoutMs",
    ],
    [
      "http timeoutMs",
      { id: "n", kind: "http", with: { url: "http://127.0.0.1:1/", timeoutMs: DAY + 1 } },
      "nodes[0].with.timeoutMs",
    ],
    [
      "map child timeoutMs",
      { id: "n", kind: "map", with: { over: "[1]", node: { kind: "sleep", with: { ms: 1 }, timeoutMs: DAY + 1 } } },
      "nodes[0].with.node.timeoutMs",
    ],
    [
      "external leaseMs",
      { id: "n", kind: "external", with: { queue: "q", leaseMs: 60 * 60 * 1000 + 1 } },
      "nodes[0].with.leaseMs",
    ],
  ])("%s over its bound is INVALID_SPEC at its path", async (_what, node, path) => {
    const problems = await problemsOf(node);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)?.message).toMatch(/at most|less than or equal|<=/i);
  });

  it("exactly a day (a week for a gate) is accepted", async () => {
    const t = await makeTokens(db);
    const spec = {
      name: "bounds",
      nodes: [
        { id: "g", kind: "gate", with: { title: "ok?", timeoutMs: 7 * DAY } },
        { id: "s", kind: "sleep", needs: ["g"], with: { ms: DAY }, timeoutMs: DAY, retryDelayMs: DAY },
      ],
    };
    const { id } = (await gqlData(server, t.operator, SUBMIT, { input: { spec } })).submitRun;
    await cancelRun(db, id);
  });
});
