/**
 * Worker faults against the real server: a worker SIGKILLed mid-node (the lease expires,
 * another worker completes the node once, the dead one's late report is LEASE_LOST), a
 * handler hanging past the node's `timeoutMs` (aborted, the attempt failed and retried per
 * spec), and a token revoked while a worker and a watch use it.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createWorker, type Job, SignalboxClient, type Worker } from "../../sdk/src/index";
import { gql, serveForTests, type TestServer } from "./graphql-harness";
import { allEvents, completionsByNode, waitForNode, waitForRun } from "./helpers";

let h: TestServer;
serveForTests({}, (server) => {
  h = server;
});
const workers: Worker[] = [];
afterAll(async () => {
  for (const w of workers) await w.stop({ deadlineMs: 0 });
});

const ROOT = path.resolve(import.meta.dirname, "../..");
const spec = (queue: string, node: Record<string, unknown> = {}) => ({
  name: "faults",
  nodes: [{ id: "job", kind: "external", with: { queue, input: {}, leaseMs: 2000 }, ...node }],
});

describe("worker faults", () => {
  it("a worker killed with SIGKILL mid-node: the lease expires, another worker completes it once, the late report is LEASE_LOST", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    const sbx = new SignalboxClient({ url: h.server.url, token: h.t.operator });
    const run = await sbx.submitRun({ spec: spec(queue, { retries: 0 }) });
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tests/integration/fixtures/hanging-worker.ts", h.server.url, h.t.operator, queue],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    const claimed = await new Promise<{ nodeId: string; epoch: number }>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /claimed (\S+) (\d+)/.exec(out);
        if (m) resolve({ nodeId: m[1], epoch: Number(m[2]) });
      });
      child.once("exit", (code) => reject(new Error(`worker exited (${code})`)));
    });
    child.kill("SIGKILL");
    const finishing = createWorker({
      url: h.server.url,
      token: h.t.operator,
      queue,
      handler: () => ({ by: "second" }),
    });
    workers.push(finishing);
    await finishing.start();
    const done = await waitForRun(h.db, run.id, (r) => r.finishedAt !== null, 30_000);
    expect(done.status).toBe("SUCCEEDED");
    const node = await waitForNode(h.db, run.id, "job", "SUCCEEDED");
    expect(node.output).toEqual({ by: "second" });
    expect(completionsByNode(await allEvents(h.db, run.id)).get("job")).toBe(1);
    const late = await gql(h.server, h.t.operator, `mutation($input: NodeReportInput!) { reportNode(input: $input) }`, {
      input: { nodeId: claimed.nodeId, epoch: claimed.epoch, logs: [{ message: "I am back" }] },
    });
    expect(late.errors?.[0]?.extensions?.code).toBe("LEASE_LOST");
    const logs = (await allEvents(h.db, run.id)).filter((e) => e.type === "LOG").map((e) => e.payload.message);
    expect(logs).not.toContain("I am back");
  });

  it("a handler hanging past the node's timeoutMs is aborted and the attempt fails (retried per spec)", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    const sbx = new SignalboxClient({ url: h.server.url, token: h.t.operator });
    const reasons: unknown[] = [];
    const w = createWorker({
      url: h.server.url,
      token: h.t.operator,
      queue,
      leaseMs: 2000,
      handler: (job: Job) =>
        new Promise((resolve) =>
          job.signal.addEventListener("abort", () => {
            reasons.push(job.signal.reason);
            resolve(null);
          }),
        ),
    });
    workers.push(w);
    await w.start();
    const run = await sbx.submitRun({ spec: spec(queue, { timeoutMs: 1000, retries: 1, retryDelayMs: 100 }) });
    const done = await waitForRun(h.db, run.id, (r) => r.finishedAt !== null, 30_000);
    expect(done.status).toBe("FAILED");
    const node = await waitForNode(h.db, run.id, "job", "FAILED");
    expect(node.error).toContain("timed out");
    expect(node.attempt).toBe(2); // the first timeout was retried once
    // Each attempt's job was aborted (its next heartbeat after the timeout is LEASE_LOST).
    const deadline = Date.now() + 10_000;
    while (reasons.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatchObject({ code: "LEASE_LOST" });
    expect(w.running).toBe(0);
  });

  it("a token revoked mid-stream: the watch ends with its code, the worker stops claiming", async () => {
    const queue = `q-${randomUUID().slice(0, 6)}`;
    const made = await gql<{ createToken: { secret: string; token: { id: string } } }>(
      h.server,
      h.t.admin,
      `mutation { createToken(input: { name: "doomed", role: OPERATOR }) { secret token { id } } }`,
    );
    const secret = made.data!.createToken.secret;
    const sbx = new SignalboxClient({ url: h.server.url, token: secret });
    const run = await sbx.submitRun({
      spec: { name: "revoked", nodes: [{ id: "hold", kind: "gate", with: { title: "wait" } }] },
    });
    const errors: unknown[] = [];
    const w = createWorker({
      url: h.server.url,
      token: secret,
      queue,
      waitMs: 1000,
      handler: () => null,
      onError: (e) => errors.push(e),
    });
    workers.push(w);
    await w.start();
    const watching = (async () => {
      for await (const _ of sbx.watchRun(run.id)) {
        // events until the revocation ends the stream
      }
    })().then(
      () => null,
      (e) => e,
    );
    await new Promise((r) => setTimeout(r, 500));
    await gql(h.server, h.t.admin, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, {
      id: made.data!.createToken.token.id,
    });
    const ended = await watching;
    expect(ended?.code).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    const deadline = Date.now() + 10_000;
    while (!errors.some((e) => (e as { code?: string }).code === "UNAUTHENTICATED") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(errors.map((e) => (e as { code?: string }).code)).toContain("UNAUTHENTICATED");
    await new SignalboxClient({ url: h.server.url, token: h.t.operator }).cancelRun(run.id);
  });
});
