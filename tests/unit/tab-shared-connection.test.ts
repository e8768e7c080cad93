import type { ExecutionResult } from "graphql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RunEventStream } from "../../app/components/live/run-event-stream";
import type { ChannelLike, TabSharingEnv } from "../../app/components/live/tab-channel";
import { TabSharedConnection } from "../../app/components/live/tab-shared-connection";
import type { ConnectionStatus, LiveConnection, LiveSink, RequestBody } from "../../app/components/live/transport";
import type { RunEvent } from "../../app/graphql/types";

/**
 * Leader election and relay between tabs, with fakes for the browser (Web Locks,
 * BroadcastChannel with structured clone) and for the server (an event log that replays
 * after `afterSeq` and pushes appends, like `runEvents`). The tabs run the real
 * RunEventStream, so "exactly once, in order" is what a page would show.
 */

const log: RunEvent[] = [];
const event = (seq: number): RunEvent =>
  ({
    __typename: "LogEvent",
    id: `r:${seq}`,
    seq,
    runId: "r",
    at: new Date(seq * 1000).toISOString(),
    type: "LOG",
    level: "INFO",
    message: `line ${seq}`,
    nodeKey: null,
  }) as RunEvent;

/** A server connection: runEvents subscriptions over the shared log. */
class FakeConnection implements LiveConnection {
  static open = new Set<FakeConnection>();
  static made = 0;
  readonly subs = new Set<{ request: () => RequestBody; sink: LiveSink<unknown> }>();
  /** The `afterSeq` of each subscription when it was made. */
  readonly startedFrom: number[] = [];
  private readonly status: ConnectionStatus = { transport: "ws", state: "live", lastSeq: null, shared: false };
  constructor() {
    FakeConnection.made++;
    FakeConnection.open.add(this);
  }
  static append(e: RunEvent) {
    log.push(e);
    for (const c of FakeConnection.open) for (const s of c.subs) s.sink.next({ data: { runEvents: e } });
  }
  /** The tab went away: its socket closes, nothing more is sent. */
  close() {
    this.subs.clear();
    FakeConnection.open.delete(this);
  }
  getStatus = () => this.status;
  onStatus = () => () => {};
  reportSeq() {}
  nudge() {}
  subscribe<T>(request: () => RequestBody, sink: LiveSink<T>) {
    const sub = { request, sink: sink as LiveSink<unknown> };
    this.subs.add(sub);
    const after = Number(request().variables?.afterSeq ?? 0);
    this.startedFrom.push(after);
    // Replay on the next tick, then live, like the server's backlog → live switch.
    setTimeout(() => {
      if (!this.subs.has(sub)) return;
      for (const e of log) if (e.seq > after) sub.sink.next({ data: { runEvents: e } });
    }, 0);
    return () => void this.subs.delete(sub);
  }
  async query<TData>(): Promise<ExecutionResult<TData>> {
    const data = { events: { events: [], nextSeq: 0, hasMore: false }, run: { sealed: false, lastSeq: 0 } };
    return { data: data as TData };
  }
}

/** The browser: one Web Lock queue and one BroadcastChannel across its tabs. */
function buildBrowser({ locks = true } = {}) {
  const listeners = new Map<string, (data: unknown) => void>();
  const waiting: { tab: string; grant: () => void }[] = [];
  let holder: string | null = null;
  const grantNext = () => {
    const next = waiting.shift();
    if (!next) return;
    holder = next.tab;
    queueMicrotask(next.grant);
  };
  const tabs = new Map<string, { conn: TabSharedConnection; goodbye: () => void; made: FakeConnection[] }>();

  function openTab(tabId: string) {
    const made: FakeConnection[] = [];
    let goodbye = () => {};
    const env: TabSharingEnv = {
      tabId,
      requestLock: locks
        ? (_name, whileHeld) => {
            waiting.push({ tab: tabId, grant: () => void whileHeld() });
            if (holder === null) grantNext();
          }
        : undefined,
      openChannel: (): ChannelLike => ({
        postMessage: (m) => {
          const copy = structuredClone(m);
          for (const [tab, listen] of listeners)
            if (tab !== tabId) setTimeout(() => listeners.has(tab) && listen(copy), 0);
        },
        listen: (onMessage) => listeners.set(tabId, onMessage),
      }),
      onTabClose: (fn) => {
        goodbye = fn;
      },
    };
    const conn = new TabSharedConnection(() => {
      const c = new FakeConnection();
      made.push(c);
      return c;
    }, env);
    tabs.set(tabId, { conn, goodbye: () => goodbye(), made });
    return conn;
  }

  function closeTab(tabId: string) {
    const tab = tabs.get(tabId)!;
    tab.goodbye();
    listeners.delete(tabId);
    for (const c of tab.made) c.close();
    tabs.delete(tabId);
    const i = waiting.findIndex((w) => w.tab === tabId);
    if (i >= 0) waiting.splice(i, 1);
    if (holder === tabId) {
      holder = null; // the lock goes with its tab
      grantNext();
    }
  }
  return { openTab, closeTab, holder: () => holder };
}

/** A tab's run page: the real RunEventStream, recording what it applies. */
function watch(conn: TabSharedConnection, afterSeq = 0) {
  const seqs: number[] = [];
  const stream = new RunEventStream({
    transport: conn,
    runId: "r",
    afterSeq,
    onBatch: (events) => seqs.push(...events.map((e) => e.seq)),
    onProgress: () => {},
  });
  return { seqs, stream };
}

describe("TabSharedConnection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    log.length = 0;
    FakeConnection.open.clear();
    FakeConnection.made = 0;
  });
  afterEach(() => vi.useRealTimers());

  it("elects one leader: one server connection for three tabs, each tab sees every event once", async () => {
    const browser = buildBrowser();
    const a = browser.openTab("a");
    const b = browser.openTab("b");
    const c = browser.openTab("c");
    await vi.advanceTimersByTimeAsync(10);
    expect([a.isLeader, b.isLeader, c.isLeader]).toEqual([true, false, false]);
    expect(b.getStatus()).toMatchObject({ transport: "ws", state: "live", shared: true });
    expect(a.getStatus().shared).toBe(false);
    const tabs = [watch(a), watch(b), watch(c)];
    await vi.advanceTimersByTimeAsync(10);
    for (let seq = 1; seq <= 5; seq++) {
      FakeConnection.append(event(seq));
      await vi.advanceTimersByTimeAsync(300);
    }
    for (const t of tabs) expect(t.seqs).toEqual([1, 2, 3, 4, 5]);
    expect(FakeConnection.made).toBe(1);
    expect([...FakeConnection.open][0].subs.size).toBe(3);
  });

  it("hands over when the leader tab closes: the next tab resumes every tab from its own last seq, no gap, no duplicate", async () => {
    const browser = buildBrowser();
    const a = browser.openTab("a");
    const b = browser.openTab("b");
    const c = browser.openTab("c");
    await vi.advanceTimersByTimeAsync(10);
    watch(a);
    const tb = watch(b);
    const tc = watch(c, 2); // this page's snapshot already had seq 1..2
    await vi.advanceTimersByTimeAsync(10);
    for (let seq = 1; seq <= 4; seq++) FakeConnection.append(event(seq));
    await vi.advanceTimersByTimeAsync(300);

    browser.closeTab("a");
    // Appended while nobody holds a connection: the new leader's subscriptions replay them.
    FakeConnection.append(event(5));
    FakeConnection.append(event(6));
    await vi.advanceTimersByTimeAsync(10);
    expect(browser.holder()).toBe("b");
    expect(b.isLeader).toBe(true);
    expect(b.getStatus().shared).toBe(false);
    expect(c.getStatus().shared).toBe(true);
    for (let seq = 7; seq <= 9; seq++) FakeConnection.append(event(seq));
    await vi.advanceTimersByTimeAsync(300);

    expect(tb.seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tc.seqs).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(FakeConnection.made).toBe(2);
    expect(FakeConnection.open.size).toBe(1);
    // b's and c's subscriptions, each from its own cursor.
    const [conn] = [...FakeConnection.open];
    expect(conn.subs.size).toBe(2);
    expect(conn.startedFrom).toEqual([4, 4]); // not a replay from the start
  });

  it("a closing follower's subscriptions leave the leader's connection", async () => {
    const browser = buildBrowser();
    const a = browser.openTab("a");
    const b = browser.openTab("b");
    await vi.advanceTimersByTimeAsync(10);
    watch(a);
    watch(b);
    await vi.advanceTimersByTimeAsync(10);
    expect([...FakeConnection.open][0].subs.size).toBe(2);
    browser.closeTab("b");
    await vi.advanceTimersByTimeAsync(10);
    expect([...FakeConnection.open][0].subs.size).toBe(1);
  });

  it("without Web Locks every tab holds its own connection", async () => {
    const browser = buildBrowser({ locks: false });
    const tabs = ["a", "b"].map((id) => browser.openTab(id));
    await vi.advanceTimersByTimeAsync(10);
    expect(tabs.map((t) => t.isLeader)).toEqual([true, true]);
    expect(tabs.map((t) => t.getStatus().shared)).toEqual([false, false]);
    const watched = tabs.map((t) => watch(t));
    await vi.advanceTimersByTimeAsync(10);
    FakeConnection.append(event(1));
    await vi.advanceTimersByTimeAsync(300);
    for (const w of watched) expect(w.seqs).toEqual([1]);
    expect(FakeConnection.made).toBe(2);
  });
});
