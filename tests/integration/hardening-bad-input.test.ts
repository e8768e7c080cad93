/**
 * Bad input over the API against the real server: SQL / JSON metacharacters in every string
 * field come back verbatim; fuzzed graphql-ws frames never crash the server or get a 4500 /
 * 1011 close; fuzzed GraphQL documents, variables and bodies never get a 5xx; memory stays
 * steady.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  collect,
  gql,
  gqlData,
  RUN_EVENTS,
  type ServerProc,
  SUBMIT,
  serveForTests,
  type Tokens,
  wsClient,
} from "./graphql-harness";
import { eventually, metric, metricsText, post, rawSocket, request, sleep } from "./hardening-helpers";

let server: ServerProc;
let t: Tokens;

// Hundreds of fuzz requests from one token: the per-token budget (tested elsewhere) off.
serveForTests({ env: { SIGNALBOX_RATE_LIMIT: "0" } }, (h) => {
  ({ server, t } = h);
});

/** One line of hostile text; fields other than log lines also get control characters. */
const LINE = `'; DROP TABLE runs; -- " OR 1=1 -- {"$ne": null} \\u0000 \\ \` $1 $$ %s %n <script>alert(1)</script> 💥 ünïcödé`;
const NASTY = `${LINE} \r\n\t`;
const MB = 1024 * 1024;
const rss = async () => metric(await metricsText(server), "signalbox_process_resident_memory_bytes");

describe("metacharacters are stored verbatim", () => {
  it("in every string field a client can send, read back unchanged over the API", async () => {
    const s = (tag: string) => `${tag}:${NASTY}`;
    const spec = {
      name: "nasty-fields",
      nodes: [
        {
          id: "gate",
          kind: "gate",
          label: s("node label"),
          with: { title: s("title"), description: s("desc"), show: "params" },
        },
        {
          id: "ext",
          kind: "external",
          needs: ["gate"],
          label: s("ext label"),
          with: { queue: "nasty-q", input: { x: s("input") } },
        },
      ],
    };
    const params = { [s("key")]: s("value"), nested: [s("in array"), { deep: s("deep") }] };
    const { submitRun } = await gqlData(
      server,
      t.admin,
      `mutation($input: SubmitRunInput!) { submitRun(input: $input) { id label idempotencyKey params } }`,
      { input: { spec, params, label: s("label"), idempotencyKey: s("idem") } },
    );
    expect(submitRun).toMatchObject({ label: s("label"), idempotencyKey: s("idem"), params });
    const runId = submitRun.id;
    await eventually(async () => {
      const { run } = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { nodes { key status } } }`, {
        id: runId,
      });
      return run.nodes.find((n: { key: string; status: string }) => n.key === "gate")?.status === "WAITING";
    });
    await gqlData(server, t.operator, `mutation($i: HumanDecisionInput!) { humanDecision(input: $i) { status } }`, {
      i: {
        runId,
        nodeKey: "gate",
        decision: "MODIFY",
        feedback: s("feedback"),
        patch: { p: s("patch") },
        idempotencyKey: s("decision"),
      },
    });
    const lease = await eventually(
      async () =>
        (
          await gqlData(
            server,
            t.operator,
            `mutation { claimNode(queue: "nasty-q", worker: ${JSON.stringify(s("worker"))}) { nodeId epoch input } }`,
          )
        ).claimNode,
    );
    expect(lease.input).toEqual({ x: s("input") });
    await gqlData(server, t.operator, "mutation($i: NodeReportInput!) { reportNode(input: $i) }", {
      i: {
        nodeId: lease.nodeId,
        epoch: lease.epoch,
        // Log lines are split at newlines and control characters escaped (a terminal-safe log).
        logs: [{ level: "WARNING", message: `log:${LINE}` }],
        metrics: { [s("metric")]: 1.5 },
        results: [{ [s("column")]: s("cell") }],
      },
    });
    await gqlData(
      server,
      t.operator,
      "mutation($n: ID!, $e: Int!, $o: JSON) { completeNode(nodeId: $n, epoch: $e, output: $o) { status } }",
      {
        n: lease.nodeId,
        e: lease.epoch,
        o: { out: s("output") },
      },
    );
    await eventually(async () => {
      const { run } = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { status } }`, { id: runId });
      return run.status === "SUCCEEDED";
    });
    const { run } = await gqlData(
      server,
      t.viewer,
      `query($id: ID!) { run(id: $id) {
        label params spec results { columns rows }
        nodes { key label output metrics gate { title description decision { feedback patch } } }
        events(types: [LOG]) { events { ... on LogEvent { message level } } }
      } }`,
      { id: runId },
    );
    const gate = run.nodes.find((n: { key: string }) => n.key === "gate");
    const ext = run.nodes.find((n: { key: string }) => n.key === "ext");
    expect(run.label).toBe(s("label"));
    expect(run.params).toEqual(params);
    expect(run.spec.nodes[0].with.title).toBe(s("title"));
    expect(gate.label).toBe(s("node label"));
    expect(gate.gate).toMatchObject({
      title: s("title"),
      description: s("desc"),
      decision: { feedback: s("feedback"), patch: { p: s("patch") } },
    });
    expect(ext.output).toEqual({ out: s("output") });
    expect(ext.metrics).toEqual({ [s("metric")]: 1.5 });
    expect(run.results).toEqual({ columns: [s("column")], rows: [{ [s("column")]: s("cell") }] });
    expect(run.events.events.map((e: { message: string }) => e.message)).toContain(`log:${LINE}`);
    // Filters take them as data, not SQL. (`search` is a substring match in which `%`, `_` and
    // `\` still act as LIKE wildcards: reported, lib/runs is not this layer's.)
    const found = await gqlData(server, t.viewer, `query($q: String) { runs(search: $q) { nodes { id } } }`, {
      q: `label:'; DROP TABLE runs; -- " OR 1=1 -- {"$ne": null}`,
    });
    expect(found.runs.nodes.map((r: { id: string }) => r.id)).toEqual([runId]);
    const none = await gqlData(server, t.viewer, `query($p: String) { runs(pipeline: $p) { nodes { id } } }`, {
      p: NASTY,
    });
    expect(none.runs.nodes).toEqual([]);
    // Token names too.
    const { createToken } = await gqlData(
      server,
      t.admin,
      `mutation($n: String!) { createToken(input: { name: $n, role: VIEWER }) { token { name } } }`,
      { n: s("token") },
    );
    expect(createToken.token.name).toBe(s("token"));
  });
});

/** A graphql-ws frame: mostly well-formed shapes with hostile contents, sometimes garbage. */
const idArb = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.constant("x".repeat(10_000)));
const payloadArb = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record(
    {
      query: fc.oneof(
        fc.string(),
        fc.constantFrom("{ viewer { name } }", RUN_EVENTS, "subscription { runsChanged { id } }", "{ __typename }"),
      ),
      variables: fc.oneof(fc.anything({ maxDepth: 3 }), fc.record({ runId: fc.string(), afterSeq: fc.integer() })),
      operationName: fc.oneof(fc.string(), fc.constant(null)),
      extensions: fc.anything({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.record({ authorization: fc.oneof(fc.string(), fc.constant(`Bearer ${"sbx_x"}`)) }),
);
/** Well-formed subscribe messages with hostile documents and variables: they reach GraphQL. */
const subscribeArb = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    query: fc.oneof(
      fc.constantFrom(
        "{ viewer { name } }",
        RUN_EVENTS,
        "subscription { runsChanged { id status } }",
        "query($id: ID!) { run(id: $id) { id events { nextSeq } } }",
        "{ __schema { types { name } } }",
      ),
      fc.string(),
    ),
    variables: fc.dictionary(fc.constantFrom("runId", "afterSeq", "id", "types", "x"), fc.anything({ maxDepth: 2 })),
  })
  .map(({ id, query, variables }) => JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
const frameArb = fc.oneof(
  { weight: 4, arbitrary: subscribeArb },
  {
    weight: 5,
    arbitrary: fc
      .record(
        {
          type: fc.constantFrom(
            "connection_init",
            "ping",
            "pong",
            "subscribe",
            "complete",
            "next",
            "error",
            "connection_ack",
            "nope",
          ),
          id: idArb,
          payload: payloadArb,
        },
        { requiredKeys: ["type"] },
      )
      .map((m) => JSON.stringify(m)),
  },
  { weight: 2, arbitrary: fc.json().map(String) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("latin1")) },
);

/** Close codes graphql-ws and ws may use for a client's mistakes — never 4500 or 1011. */
const CLIENT_FAULT = new Set([1000, 1002, 1007, 1009, 4400, 4401, 4403, 4408, 4409, 4429]);

describe("fuzzing", () => {
  it("random graphql-ws frames: never a server error close, never a crash, memory steady", async () => {
    const before = await rss();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(frameArb, { minLength: 1, maxLength: 6 }), async (init, frames) => {
        const s = await rawSocket(server);
        if (init) {
          s.send({ type: "connection_init", payload: { authorization: `Bearer ${t.viewer}` } });
          await s.waitFor((m) => m?.type === "connection_ack", 2_000).catch(() => {});
        }
        for (const f of frames) if (s.ws.readyState === s.ws.OPEN) s.ws.send(f);
        const outcome = await Promise.race([s.closed, sleep(150).then(() => null)]);
        if (outcome) {
          seen.set(outcome.code, (seen.get(outcome.code) ?? 0) + 1);
          if (!CLIENT_FAULT.has(outcome.code)) throw new Error(`closed with ${outcome.code} ${outcome.reason}`);
        } else {
          s.ws.close();
        }
      }),
      { numRuns: 200 },
    );
    expect(server.child.exitCode).toBeNull();
    expect((await request(`${server.url}/api/health`)).status).toBe(200);
    const ok = await post(server, t.viewer, { query: "{ viewer { name } }" });
    expect(ok.status).toBe(200);
    // Still serving subscriptions.
    const ws = wsClient(server, t.viewer);
    expect((await collect(ws, "{ viewer { role } }", {}).done)[0].data).toEqual({ viewer: { role: "VIEWER" } });
    await ws.dispose();
    const after = await rss();
    console.log(
      `ws fuzz: close codes ${JSON.stringify(Object.fromEntries(seen))}; RSS ${(before / MB).toFixed(0)} → ${(after / MB).toFixed(0)} MB`,
    );
    expect(after - before).toBeLessThan(96 * MB);
  }, 120_000);

  it("random GraphQL documents, variables and bodies over HTTP: never a 5xx", async () => {
    const before = await rss();
    const bodyArb = fc.oneof(
      fc
        .record(
          {
            query: fc.oneof(
              fc.string(),
              fc.constantFrom(
                "{ viewer { name } }",
                SUBMIT,
                "query($id: ID!) { run(id: $id) { id events { nextSeq } } }",
              ),
              fc
                .tuple(fc.constantFrom("{ runs(first: ", '{ events(runId: "', "mutation { cancelRun(id: "), fc.string())
                .map(([a, b]) => a + b),
            ),
            variables: fc.oneof(
              fc.anything({ maxDepth: 3 }),
              fc.record({ input: fc.record({ spec: fc.anything({ maxDepth: 4 }), label: fc.string() }) }),
            ),
            operationName: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
          },
          { requiredKeys: [] },
        )
        .map((b) => JSON.stringify(b)),
      fc.json(),
      fc.string(),
    );
    const typeArb = fc.constantFrom(
      "application/json",
      "application/graphql+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "",
    );
    await fc.assert(
      fc.asyncProperty(bodyArb, typeArb, fc.boolean(), async (body, type, useGet) => {
        const res = useGet
          ? await request(`${server.api}?query=${encodeURIComponent(body)}&variables=${encodeURIComponent(body)}`, {
              headers: { authorization: `Bearer ${t.operator}`, accept: "application/graphql-response+json" },
            })
          : await request(server.api, {
              method: "POST",
              headers: {
                authorization: `Bearer ${t.operator}`,
                accept: "application/graphql-response+json",
                ...(type ? { "content-type": type } : {}),
              },
              body,
            });
        if (res.status >= 500) throw new Error(`${res.status} for ${body.slice(0, 200)}: ${res.text.slice(0, 300)}`);
      }),
      { numRuns: 300 },
    );
    // Random specs through submitRun: INVALID_SPEC / BAD_INPUT, never a 5xx or a masked error.
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 4 }), async (spec) => {
        const r = await gql(server, t.operator, SUBMIT, { input: { spec, label: "fuzz" } });
        if (r.status >= 500) throw new Error(`${r.status}`);
        const code = r.errors?.[0]?.extensions?.code;
        if (
          r.errors &&
          !["INVALID_SPEC", "BAD_INPUT", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"].includes(String(code))
        )
          throw new Error(`unexpected ${JSON.stringify(r.errors)} for ${JSON.stringify(spec)}`);
      }),
      { numRuns: 150 },
    );
    expect(server.child.exitCode).toBeNull();
    expect((await gql(server, t.viewer, "{ viewer { name } }")).status).toBe(200);
    const after = await rss();
    console.log(`http fuzz: RSS ${(before / MB).toFixed(0)} → ${(after / MB).toFixed(0)} MB`);
    expect(after - before).toBeLessThan(96 * MB);
  }, 120_000);
});
