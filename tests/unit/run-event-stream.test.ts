import { type DocumentNode, print } from "graphql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RunEventStream, type RunStreamProgress } from "../../app/components/live/run-event-stream";
import type { LiveConnection, LiveSink, RequestBody } from "../../app/components/live/transport";
import type { RunEvent } from "../../app/graphql/types";

/** The web client's run stream against a fake transport: ordering, dedupe, gap refill, resume. */

const RUN = "00000000-0000-4000-8000-000000000001";

function buildEvent(seq: number, type: RunEvent["type"] = "LOG"): RunEvent {
  const base = { id: `${RUN}:${seq}`, seq, runId: RUN, at: new Date(seq * 1000).toISOString() };
  if (type === "RUN_COMPLETED") {
    return {
      ...base,
      __typename: "RunCompletedEvent",
      type,
      status: "SUCCEEDED",
      nodesSucceeded: 1,
      nodesFailed: 0,
      durationMs: 1,
    };
  }
  return { ...base, __typename: "LogEvent", type: "LOG", level: "INFO", message: `line ${seq}`, nodeKey: null };
}

/** Records subscriptions and serves `events` / `run` queries from an in-memory log. */
function buildTransport(log: RunEvent[], run = { sealed: false, lastSeq: 0 }) {
  const subs: { request: () => RequestBody; sink: LiveSink<{ runEvents: RunEvent }> }[] = [];
  const queries: RequestBody[] = [];
  const transport = {
    subscribe(request: () => RequestBody, sink: LiveSink<{ runEvents: RunEvent }>) {
      subs.push({ request, sink });
      return () => {};
    },
    async query(document: DocumentNode, variables: Record<string, unknown>) {
      const body: RequestBody = { query: print(document), variables };
      queries.push(body);
      if (body.query.includes("RunSealed")) return { data: { run } };
      const after = variables.afterSeq as number;
      const events = log.filter((e) => e.seq > after).slice(0, variables.first as number);
      return { data: { events: { events, nextSeq: events.at(-1)?.seq ?? after, hasMore: false } } };
    },
    reportSeq() {},
  };
  const push = (e: RunEvent) => subs.at(-1)!.sink.next({ data: { runEvents: e } });
  return { transport: transport as unknown as LiveConnection, subs, queries, push };
}

function buildStream(t: ReturnType<typeof buildTransport>, afterSeq = 0) {
  const batches: number[][] = [];
  const progress: RunStreamProgress[] = [];
  const stream = new RunEventStream({
    transport: t.transport,
    runId: RUN,
    afterSeq,
    onBatch: (events) => batches.push(events.map((e) => e.seq)),
    onProgress: (p) => progress.push(p),
  });
  return { stream, batches, progress };
}

describe("RunEventStream", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("applies events once, in order, batched per frame; duplicates are dropped", async () => {
    const t = buildTransport([]);
    const { batches, progress } = buildStream(t, 2);
    expect(t.subs[0].request().variables).toEqual({ runId: RUN, afterSeq: 2 });
    for (const seq of [2, 3, 4, 3, 5]) t.push(buildEvent(seq));
    await vi.advanceTimersByTimeAsync(300);
    expect(batches).toEqual([[3, 4, 5]]);
    expect(progress.at(-1)).toMatchObject({ lastSeq: 5, completed: false });
  });

  it("resubscribes from the last accepted seq (a reconnect neither repeats nor skips)", async () => {
    const t = buildTransport([]);
    buildStream(t);
    for (const seq of [1, 2, 3]) t.push(buildEvent(seq));
    // Serialized again on every (re)subscribe by the transport.
    expect(t.subs[0].request().variables?.afterSeq).toBe(3);
  });

  it("refills a gap with the events query before applying what came after it", async () => {
    const log = [1, 2, 3, 4, 5, 6].map((s) => buildEvent(s));
    const t = buildTransport(log);
    const { batches } = buildStream(t);
    t.push(log[0]);
    t.push(log[1]);
    t.push(log[5]); // 3..5 missing
    await vi.advanceTimersByTimeAsync(300);
    expect(t.queries[0].variables).toMatchObject({ runId: RUN, afterSeq: 2 });
    t.push(log[3]); // a late duplicate of a refilled seq
    await vi.advanceTimersByTimeAsync(300);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("is completed after RUN_COMPLETED and ignores anything later", async () => {
    const t = buildTransport([]);
    const { batches, progress } = buildStream(t);
    t.push(buildEvent(1));
    t.push(buildEvent(2, "RUN_COMPLETED"));
    t.push(buildEvent(3));
    await vi.advanceTimersByTimeAsync(300);
    expect(batches.flat()).toEqual([1, 2]);
    expect(progress.at(-1)).toMatchObject({ lastSeq: 2, completed: true });
  });

  it("a completion without RUN_COMPLETED on an unsealed run resumes; on a sealed, caught-up run it ends", async () => {
    const open = buildTransport([], { sealed: false, lastSeq: 9 });
    buildStream(open, 1);
    open.subs[0].sink.complete();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(open.subs).toHaveLength(2);
    expect(open.subs[1].request().variables?.afterSeq).toBe(1);

    const sealed = buildTransport([], { sealed: true, lastSeq: 4 });
    const { progress } = buildStream(sealed, 4);
    sealed.subs[0].sink.complete();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sealed.subs).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ lastSeq: 4, completed: true });
  });
});

describe("RunEventStream after an error", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a transient error (database down) is shown, the stream resumes from the last seq, and the error clears", async () => {
    const t = buildTransport([]);
    const { batches, progress } = buildStream(t);
    t.push(buildEvent(1));
    await vi.advanceTimersByTimeAsync(300);
    t.subs[0].sink.error([{ message: "Service unavailable", extensions: { code: "SERVICE_UNAVAILABLE" } }] as never);
    expect(progress.at(-1)?.error).toBe("Service unavailable");
    await vi.advanceTimersByTimeAsync(3_000);
    expect(t.subs).toHaveLength(2);
    expect(t.subs[1].request().variables?.afterSeq).toBe(1);
    t.push(buildEvent(2));
    await vi.advanceTimersByTimeAsync(300);
    expect(batches.flat()).toEqual([1, 2]);
    expect(progress.at(-1)).toMatchObject({ lastSeq: 2, error: null });
  });

  it("a resumed stream on an idle run clears the error once it has stayed healthy", async () => {
    const t = buildTransport([]);
    const { progress } = buildStream(t);
    t.subs[0].sink.next({ errors: [{ message: "Unexpected error." }] } as never);
    expect(progress.at(-1)?.error).toBe("Unexpected error.");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.subs).toHaveLength(2);
    expect(progress.at(-1)?.error).toBeNull();
  });

  it("an error retrying cannot fix (NOT_FOUND) stays, without resubscribing", async () => {
    const t = buildTransport([]);
    const { progress } = buildStream(t);
    t.subs[0].sink.error([{ message: "run not found", extensions: { code: "NOT_FOUND" } }] as never);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.subs).toHaveLength(1);
    expect(progress.at(-1)?.error).toBe("run not found");
  });
});
