/**
 * In-process check of SPEC §9 "execute each event once per run and selection, not once
 * per subscriber": subscribers of one run with the same selection receive the very same
 * result object for a live event; a different selection gets its own. Also: a live source
 * that fails ends the subscription with a masked error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerContext } from "../../graphql/context";
import { UNAVAILABLE_MESSAGE } from "../../graphql/errors";
import { Access } from "../../graphql/guard/access";
import { RunsChangedHub } from "../../graphql/live/runs-changed";
import { createYogaServer, type SignalboxYoga } from "../../graphql/yoga";
import { authenticate, createToken, type Viewer } from "../../lib/auth/tokens";
import { decideGate } from "../../lib/engine/gates";
import { metrics } from "../../lib/metrics";
import type { Runtime } from "../../lib/runtime";
import { buildRig, databaseUrl, submit, type TestRig, waitForNode } from "./helpers";

let rig: TestRig;
let serverContext: ServerContext;
let viewer: Viewer;
let yoga: SignalboxYoga;

beforeAll(async () => {
  rig = await buildRig();
  const runtime = {
    ...rig,
    databaseUrl: databaseUrl(),
    settings: { allowCommands: false, httpAllowedHosts: [] },
    adminSecret: null,
  } as unknown as Runtime;
  const access = new Access(rig.db, {
    rate: { perSecond: 0, burst: 1 },
    caps: { connectionsPerToken: 0, connectionsPerAddress: 0, subscriptionsPerToken: 0, heartbeatMs: 5_000 },
  });
  yoga = createYogaServer(access);
  serverContext = { runtime, runsChanged: new RunsChangedHub(runtime), access };
  const { secret } = await createToken(rig.db, { namespace: rig.namespace, name: "shared", role: "VIEWER" });
  viewer = (await authenticate(rig.db, secret))!;
});
afterAll(async () => {
  serverContext?.runsChanged.close();
  serverContext?.access.close();
  await rig?.stop();
});

/** A metric's value summed over its labels. */
const metricValue = async (m: { get(): Promise<{ values: { value: number }[] }> }) =>
  (await m.get()).values.reduce((sum, v) => sum + v.value, 0);

type Result = {
  data?: { runEvents: { seq: number; type: string } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

/** Subscribe through yoga's envelop pipeline, exactly as graphql-ws does. */
async function subscribe(query: string, variables: Record<string, unknown>, context = serverContext) {
  const env = yoga.getEnveloped({ ...context, viewer, params: { query, variables } });
  const document = env.parse(query);
  const stream = (await env.subscribe({
    schema: env.schema,
    document,
    variableValues: variables,
    contextValue: await env.contextFactory(),
  })) as AsyncGenerator<Result>;
  const results: Result[] = [];
  const done = (async () => {
    for await (const r of stream) results.push(r);
  })();
  return { results, done };
}

const A = `subscription($runId: ID!, $afterSeq: Int) { runEvents(runId: $runId, afterSeq: $afterSeq) { seq type } }`;
const B = `subscription($runId: ID!, $afterSeq: Int) { runEvents(runId: $runId, afterSeq: $afterSeq) { seq type at } }`;

describe("shared execution of live events", () => {
  it("same selection → one result object per event, whatever afterSeq each subscriber used", async () => {
    const run = await submit(rig, {
      name: "shared",
      nodes: [
        { id: "g", kind: "gate", with: { title: "go?" } },
        { id: "after", kind: "sleep", needs: ["g"], with: { ms: 20 } },
      ],
    });
    await waitForNode(rig.db, run.id, "g", "WAITING");
    const head = (await rig.db.run.findUniqueOrThrow({ where: { id: run.id } })).lastSeq;
    // Each receives its backlog first (distinct reads), which proves it has joined the
    // run's live feed before the decision produces new events.
    const deliveredBefore = await metricValue(metrics.eventsDelivered);
    const s1 = await subscribe(A, { runId: run.id, afterSeq: head - 1 });
    const s2 = await subscribe(A, { runId: run.id, afterSeq: head - 2 });
    const s3 = await subscribe(B, { runId: run.id, afterSeq: head - 1 });
    const deadline = Date.now() + 10_000;
    while (s1.results.length < 1 || s2.results.length < 2 || s3.results.length < 1) {
      if (Date.now() > deadline) throw new Error("subscribers did not catch up");
      await new Promise((r) => setTimeout(r, 10));
    }
    await decideGate(rig.db, { runId: run.id, nodeKey: "g", decision: "APPROVE", decidedBy: "test" });
    await Promise.all([s1.done, s2.done, s3.done]);
    // lib/metrics: every delivery counted, every closed subscription released.
    expect(await metricValue(metrics.subscriptions)).toBe(0);
    expect(await metricValue(metrics.eventsDelivered)).toBe(
      s1.results.length + s2.results.length + s3.results.length + deliveredBefore,
    );
    const live = (s: { results: Result[] }) => s.results.filter((r) => r.data!.runEvents.seq > head);
    const [a1, a2, b] = [live(s1), live(s2), live(s3)];
    expect(a1.length).toBeGreaterThan(3);
    expect(a1.at(-1)?.data?.runEvents.type).toBe("RUN_COMPLETED");
    expect(a2.length).toBe(a1.length);
    a1.forEach((r, i) => {
      expect(a2[i]).toBe(r); // the same object: executed once
      expect(b[i]).not.toBe(r); // another selection executes on its own
      expect(b[i].data?.runEvents.seq).toBe(r.data?.runEvents.seq);
    });
  });

  it("a live source failing mid-stream ends the subscription with a masked (retryable) error", async () => {
    const run = await submit(rig, { name: "fails", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] });
    const events = {
      async *stream() {
        yield { id: `${run.id}:1`, runId: run.id, seq: 1, type: "LOG", at: new Date(), payload: {} };
        throw new Error('connect ECONNREFUSED db.internal.example:5432 (select * from "run_events")');
      },
    };
    const broken = { ...serverContext, runtime: { ...serverContext.runtime, events } as unknown as Runtime };
    const s = await subscribe(A, { runId: run.id, afterSeq: 0 }, broken);
    await s.done;
    expect(s.results.map((r) => r.data?.runEvents.seq)).toEqual([1, undefined]);
    // The database being unreachable is retryable: SERVICE_UNAVAILABLE, still without the host or SQL.
    expect(s.results[1].errors).toEqual([
      expect.objectContaining({
        message: UNAVAILABLE_MESSAGE,
        extensions: expect.objectContaining({ code: "SERVICE_UNAVAILABLE" }),
      }),
    ]);
    expect(JSON.stringify(s.results[1].errors)).not.toMatch(/db\.internal\.example|run_events|ECONNREFUSED/);
  });
});
