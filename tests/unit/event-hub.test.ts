import { describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { isDomainError } from "../../lib/errors";
import type { Notifier } from "../../lib/events/notifier";
import { EventHub } from "../../lib/events/stream";
import { CHANNELS, type RunEventRecord } from "../../lib/events/types";

const RUN = "00000000-0000-4000-8000-000000000001";

interface Row {
  seq: number;
  type: string;
  at: Date;
  payload: Record<string, unknown>;
}

/**
 * A database of one run that answers the three statements EventHub sends, with the
 * timing of a real one: every answer takes an I/O turn, the feed's first read can be held
 * back, and an outage fails every statement.
 */
function buildFakeDb() {
  const state = {
    lastSeq: 0,
    sealed: false,
    events: [] as Row[],
    down: false,
    logReads: 0,
    loadGate: Promise.resolve(),
  };
  const db = {
    async $queryRaw(strings: TemplateStringsArray, ...values: unknown[]) {
      const sql = strings.join("?");
      const lastSeq = state.lastSeq; // what the statement sees when it runs
      if (sql.includes("FROM run_events")) state.logReads++;
      await new Promise((r) => setImmediate(r));
      if (state.down) throw new Error("connect ECONNREFUSED");
      if (sql.includes("SELECT last_seq, sealed")) return [{ last_seq: state.lastSeq, sealed: state.sealed }];
      if (sql.includes("SELECT last_seq FROM runs")) {
        await state.loadGate;
        return [{ last_seq: lastSeq }];
      }
      if (sql.includes("FROM run_events")) {
        const after = values[1] as number;
        const limit = values.at(-1) as number;
        return state.events.filter((e) => e.seq > after).slice(0, limit);
      }
      throw new Error(`unexpected statement: ${sql}`);
    },
  };
  const append = (n: number) => {
    for (let i = 0; i < n; i++) {
      state.lastSeq++;
      state.events.push({ seq: state.lastSeq, type: "LOG", at: new Date(), payload: { message: `e${state.lastSeq}` } });
    }
  };
  return { db: db as unknown as Db, state, append };
}

function buildFakeNotifier() {
  const handlers = new Map<string, (payload: string) => void>();
  const notifier = {
    on(channel: string, handler: (payload: string) => void) {
      handlers.set(channel, handler);
      return () => handlers.delete(channel);
    },
    onReconnect: () => () => {},
  };
  return {
    notifier: notifier as unknown as Notifier,
    ring: (seq: number) => handlers.get(CHANNELS.events)?.(`${RUN}:${seq}`),
  };
}

function consume(hub: EventHub, afterSeq: number) {
  const got: RunEventRecord[] = [];
  const ac = new AbortController();
  const done = (async () => {
    for await (const e of hub.stream(RUN, afterSeq, { signal: ac.signal })) got.push(e);
  })();
  return { got, done, stop: () => ac.abort() };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

describe("EventHub", () => {
  it("a doorbell that rings while the run's feed is loading is not lost (no wait for the poll)", async () => {
    const { db, state, append } = buildFakeDb();
    const { notifier, ring } = buildFakeNotifier();
    let release = () => {};
    state.loadGate = new Promise<void>((r) => {
      release = r;
    });
    const hub = new EventHub(db, notifier);
    const c = consume(hub, 0);
    await until(() => false, 20); // the feed's load statement has run and is held back
    append(1);
    ring(1);
    release();
    expect(await until(() => c.got.length === 1, 1_000)).toBe(true); // the poll would take 2 s
    c.stop();
    await c.done;
  });

  it("backs off while the database is down instead of re-reading at once, and catches up after", async () => {
    const { db, state, append } = buildFakeDb();
    const { notifier, ring } = buildFakeNotifier();
    append(1);
    const hub = new EventHub(db, notifier);
    const c = consume(hub, 0);
    expect(await until(() => c.got.length === 1, 1_000)).toBe(true);
    state.down = true;
    const before = state.logReads;
    ring(5); // events 2..5 were committed, then the database went away
    await new Promise((r) => setTimeout(r, 1_000));
    expect(state.logReads - before).toBeLessThanOrEqual(8); // 100, 200, 400 ms … not a hot loop
    state.down = false;
    append(4);
    expect(await until(() => c.got.length === 5, 6_000)).toBe(true);
    expect(c.got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    c.stop();
    await c.done;
  });

  it("refuses a stream from beyond the log's head (it would skip everything and never end)", async () => {
    const { db, append } = buildFakeDb();
    const { notifier } = buildFakeNotifier();
    append(3);
    const hub = new EventHub(db, notifier);
    const c = consume(hub, 10);
    const err = await c.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDomainError(err, "BAD_INPUT")).toBe(true);
    expect((err as Error).message).toBe("afterSeq 10 is beyond the run's last event (seq 3)");
    expect(hub.watchedRuns).toBe(0);
  });
});
