/**
 * The worker API (completeNode / failNode / reportNode / heartbeatNode) against the real
 * server: only `external` nodes, and only by the token that claimed the lease — an
 * OPERATOR who reads or guesses the epoch of a built-in node, or of another token's
 * lease, changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { gql, gqlData, makeTokens, type ServerProc, SUBMIT, startServer, type Tokens, testDb } from "./graphql-harness";
import { eventually } from "./hardening-helpers";

let server: ServerProc;
let db: Db;
let t: Tokens;
let otherOperator: string;

beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
  otherOperator = (await createToken(db, { namespace: t.namespace, name: "operator-2", role: "OPERATOR" })).secret;
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
});

const COMPLETE = `mutation($id: ID!, $epoch: Int!) { completeNode(nodeId: $id, epoch: $epoch, output: {forged: true}) { status } }`;
const FAIL = `mutation($id: ID!, $epoch: Int!) { failNode(nodeId: $id, epoch: $epoch, error: "forged") { status } }`;
const REPORT = `mutation($id: ID!, $epoch: Int!) { reportNode(input: { nodeId: $id, epoch: $epoch, progress: 0.9,
  logs: [{ message: "forged" }], results: [{ forged: true }] }) }`;
const HEARTBEAT = `mutation($id: ID!, $epoch: Int!) { heartbeatNode(nodeId: $id, epoch: $epoch) }`;
const CLAIM = `mutation($queue: String!) { claimNode(queue: $queue, leaseMs: 5000) { nodeId epoch } }`;

/** Every worker mutation with (node, epoch) as `token`: the error codes, in order. */
async function attempts(token: string, id: string, epoch: number) {
  const codes: unknown[] = [];
  for (const m of [REPORT, HEARTBEAT, FAIL, COMPLETE]) {
    const r = await gql(server, token, m, { id, epoch });
    expect(r.status, m).toBeLessThan(500);
    codes.push(r.errors?.[0]?.extensions?.code ?? "OK");
  }
  return codes;
}

async function nodeRow(runId: string, key: string, status: string) {
  return eventually(
    async () => {
      const n = await db.runNode.findFirst({ where: { runId, key } });
      return n?.status === status ? n : null;
    },
    15_000,
    `${key} ${status}`,
  );
}

describe("built-in kinds are the engine's", () => {
  it("a running sleep and a waiting gate cannot be completed, failed or reported even with their epoch", async () => {
    const runId = (
      await gqlData(server, t.operator, SUBMIT, {
        input: {
          spec: {
            name: "forge",
            nodes: [
              { id: "nap", kind: "sleep", with: { ms: 60_000 } },
              { id: "ok", kind: "gate", with: { title: "ship it?" } },
            ],
          },
        },
      })
    ).submitRun.id;
    const nap = await nodeRow(runId, "nap", "RUNNING");
    const gate = await nodeRow(runId, "ok", "WAITING");
    for (const n of [nap, gate]) {
      expect(await attempts(t.operator, n.id, n.leaseEpoch)).toEqual([
        "FORBIDDEN",
        "FORBIDDEN",
        "FORBIDDEN",
        "FORBIDDEN",
      ]);
      expect(await attempts(t.admin, n.id, n.leaseEpoch)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    }
    const r = await gql(server, t.operator, COMPLETE, { id: nap.id, epoch: nap.leaseEpoch });
    expect(r.errors?.[0].message).toBe(
      "sleep nodes are run by the engine; only external nodes are reported through the worker API",
    );
    // Nothing changed: the sleep still sleeps, the gate still waits for a human, no forged rows.
    expect((await db.runNode.findUnique({ where: { id: nap.id } }))?.status).toBe("RUNNING");
    expect((await db.runNode.findUnique({ where: { id: gate.id } }))?.status).toBe("WAITING");
    expect(await db.runResult.count({ where: { runId } })).toBe(0);
    await gqlData(server, t.operator, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: runId });
  });
});

describe("only the lease holder", () => {
  it("another token with the right epoch gets LEASE_LOST; the claiming token completes", async () => {
    const queue = `q-${t.namespace}`;
    const runId = (
      await gqlData(server, t.operator, SUBMIT, {
        input: { spec: { name: "held", nodes: [{ id: "x", kind: "external", results: true, with: { queue } }] } },
      })
    ).submitRun.id;
    const lease = await eventually(async () => (await gqlData(server, t.operator, CLAIM, { queue })).claimNode);
    expect(await attempts(otherOperator, lease.nodeId, lease.epoch)).toEqual([
      "LEASE_LOST",
      "LEASE_LOST",
      "LEASE_LOST",
      "LEASE_LOST",
    ]);
    const node = await db.runNode.findUnique({ where: { id: lease.nodeId } });
    expect(node).toMatchObject({ status: "RUNNING", progress: 0, attempt: 1 });
    // The holder's reports and completion go through.
    const done = await gqlData(
      server,
      t.operator,
      `mutation($id: ID!, $epoch: Int!) { completeNode(nodeId: $id, epoch: $epoch, output: [{ real: 1 }]) { status output } }`,
      { id: lease.nodeId, epoch: lease.epoch },
    );
    expect(done.completeNode).toEqual({ status: "SUCCEEDED", output: [{ real: 1 }] });
    const rows = await db.runResult.findMany({ where: { runId } });
    expect(rows.map((r) => r.row)).toEqual([{ real: 1 }]);
  });
});
