import type { Db } from "../db/client";
import { DomainError } from "../errors";
import { metrics } from "../metrics";
import type { Notifier } from "./notifier";
import { readEvents } from "./read";
import { CHANNELS, type EventPage, type EventType, MAX_PAGE, type RunEventRecord } from "./types";

/** Events kept in memory per watched run, so live subscribers share one read. */
const BUFFER_CAP = 5_000;
/**
 * Safety net for a lost NOTIFY (a process that died between commit and ring): one sweep
 * per process, this often, reads the head of every watched run in one query and rings
 * the feeds that are behind. No timer per run or subscriber.
 */
const SWEEP_MS = 2_000;
/** A failed read (database down) is retried after this, doubling up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * The live tail of one run in this process. A doorbell (NOTIFY `runId:maxSeq`) makes
 * it read `seq > head` once for all of its subscribers; the buffer holds a contiguous
 * seq range `(head - buffer.length, head]`.
 */
class RunFeed {
  buffer: RunEventRecord[] = [];
  head = -1;
  subscribers = 0;
  private known = 0;
  private fetching: Promise<void> | null = null;
  /** Backoff after failed reads: while set, doorbells only record `known`. */
  private retry: NodeJS.Timeout | null = null;
  private retryMs = 0;
  private waiters = new Set<() => void>();

  constructor(
    private readonly db: Db,
    readonly runId: string,
  ) {}

  /** The lowest seq a subscriber must have seen to read from the buffer. */
  get base(): number {
    return this.head - this.buffer.length;
  }

  ready: Promise<void> | null = null;

  init(): Promise<void> {
    this.ready ??= this.load();
    return this.ready;
  }

  private async load(): Promise<void> {
    const rows = await this.db.$queryRaw<
      { last_seq: number }[]
    >`SELECT last_seq FROM runs WHERE id = ${this.runId}::uuid`;
    if (this.head < 0) this.head = rows.length ? Number(rows[0].last_seq) : 0;
    // A doorbell that rang while this loaded (head < 0) only raised `known`: catch up now,
    // not at the next sweep.
    if (this.known > this.head) this.ring(0);
  }

  ring(maxSeq: number): void {
    if (maxSeq > this.known) this.known = maxSeq;
    if (this.head < 0 || this.fetching || this.retry) return;
    this.fetching = this.fetch().then(
      () => {
        this.retryMs = 0;
        this.fetching = null;
        if (this.known > this.head) this.ring(0);
      },
      () => {
        // The database is unreachable: back off instead of re-reading at once on every
        // doorbell and poll; the retry timer (or a later doorbell after it) catches up.
        this.fetching = null;
        this.retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.retryMs * 2));
        this.retry = setTimeout(() => {
          this.retry = null;
          this.ring(0);
        }, this.retryMs);
        this.retry.unref();
      },
    );
  }

  /** Read `seq > head` page by page into the buffer; rejects when a read fails. */
  private async fetch(): Promise<void> {
    for (;;) {
      const page = await readEvents(this.db, this.runId, { afterSeq: this.head, limit: MAX_PAGE }).catch((err) => {
        metrics.feedReads.inc({ result: "error" });
        throw err;
      });
      metrics.feedReads.inc({ result: "ok" });
      if (page.events.length) {
        this.buffer.push(...page.events);
        this.head = page.nextSeq;
        if (this.buffer.length > BUFFER_CAP) this.buffer.splice(0, this.buffer.length - BUFFER_CAP);
        this.wake();
      }
      if (!page.hasMore) return;
    }
  }

  /** Buffered events with seq > cursor (caller checked cursor >= base). */
  after(cursor: number): RunEventRecord[] {
    const start = cursor - this.base;
    return start >= this.buffer.length ? [] : this.buffer.slice(start);
  }

  /**
   * Resolves on the next wake-up: new events, close, or `cancel(resolve)` — a
   * subscriber's abort. Live delivery waits once per doorbell per
   * subscriber, so this is a Set insert: no timer and no abort listener per wait.
   */
  wait(onWaiting: (resolve: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.add(resolve);
      onWaiting(resolve);
    });
  }

  /** Release one waiter now (its subscriber was aborted). */
  cancel(resolve: () => void): void {
    if (this.waiters.delete(resolve)) resolve();
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w();
  }

  close() {
    if (this.retry) clearTimeout(this.retry);
    this.wake();
  }
}

/**
 * Fairness for the event loop. A stream hands out buffered events through promise chains
 * only (microtasks, nextTicks), so a backlog — many subscribers each behind by many events
 * — used to be fanned out in one uninterrupted drain: no timer, socket read or query
 * callback ran for seconds. bench/fanout.ts saw graphql-ws keepalive timers expire and
 * terminate healthy connections, and the unflushed frames of the drain made garbage
 * collection ~1/3 of the fan-out cost. Once the current event-loop turn has run TURN_MS,
 * every stream defers its next event to the next turn (`setImmediate`): I/O and timers run
 * at least that often. In steady state (a doorbell's few events) this never triggers.
 */
const TURN_MS = 20;
let turnStart = 0;
let turnOpen = false;

function turnTooLong(): boolean {
  const now = performance.now();
  if (!turnOpen) {
    turnOpen = true;
    turnStart = now;
    setImmediate(() => {
      turnOpen = false;
    });
    return false;
  }
  return now - turnStart > TURN_MS;
}

/**
 * Park until a later turn has room. A parked stream that wakes while the turn is already
 * spent re-parks with a bare `setImmediate` (no promise, no generator step), so with many
 * streams behind, each turn's budget goes to deliveries, in FIFO order.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resumeWhenDue, resolve));

function resumeWhenDue(resolve: () => void): void {
  if (turnTooLong()) setImmediate(resumeWhenDue, resolve);
  else resolve();
}

export interface StreamOptions {
  types?: EventType[];
  signal?: AbortSignal;
  /** Called with each event handed out (delivery metrics), and once when the stream ends. */
  onEvent?: (e: RunEventRecord) => void;
  onEnd?: () => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One subscriber's cursor over a run (what `EventHub.stream` returns): joins the run's
 * feed, pages the backlog from the database — the next page is read while the current
 * one is handed out — until the cursor reaches the feed's buffer, then takes `seq >
 * cursor` from it. A plain iterator, not an async generator behind an AbortController:
 * it sits on every delivery's path and every idle subscription holds one, so `return()`
 * ends it directly (releasing a pending wait and the feed at once).
 */
class RunStream implements AsyncIterableIterator<RunEventRecord> {
  private feed: RunFeed | null = null;
  private batch: RunEventRecord[] = [];
  private i = 0;
  private cursor: number;
  private ended = false;
  private closed = false;
  private waiting: (() => void) | null = null;
  /** The next backlog page, read while the current one is handed out. */
  private ahead: Promise<EventPage> | null = null;

  constructor(
    private readonly hub: EventHub,
    private readonly db: Db,
    private readonly runId: string,
    afterSeq: number,
    private readonly wanted: Set<string> | null,
    private readonly opts: StreamOptions,
  ) {
    this.cursor = Math.max(0, afterSeq);
    opts.signal?.addEventListener("abort", this.abort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<RunEventRecord>> {
    try {
      if (!this.feed && !this.closed && !(await this.open())) return this.finish();
      for (;;) {
        if (this.ended || this.closed) return this.finish();
        while (this.i < this.batch.length) {
          const e = this.batch[this.i++];
          if (e.seq <= this.cursor) continue;
          this.cursor = e.seq;
          if (e.type === "RUN_COMPLETED") this.ended = true;
          if (!this.wanted || this.wanted.has(e.type)) {
            if (turnTooLong()) await nextTurn();
            if (this.closed) return this.finish();
            this.opts.onEvent?.(e);
            return { done: false, value: e };
          }
          if (this.ended) return this.finish();
        }
        await this.refill(this.feed as RunFeed);
      }
    } catch (err) {
      this.finish();
      throw err;
    }
  }

  return(): Promise<IteratorResult<RunEventRecord>> {
    return Promise.resolve(this.finish());
  }

  throw(err: unknown): Promise<IteratorResult<RunEventRecord>> {
    this.finish();
    return Promise.reject(err);
  }

  private readonly abort = () => {
    this.finish();
  };

  /** Join the feed (listening) before anything is read; false when there is nothing to stream. */
  private async open(): Promise<boolean> {
    const feed = await this.hub.join(this.runId);
    if (this.closed) {
      this.hub.leave(feed); // ended while joining
      return false;
    }
    this.feed = feed;
    const sealed = await this.db.$queryRaw<{ last_seq: number; sealed: boolean }[]>`
      SELECT last_seq, sealed FROM runs WHERE id = ${this.runId}::uuid`;
    if (sealed.length === 0) return false;
    const last = Number(sealed[0].last_seq);
    // Nobody can have seen a seq the log does not have yet; waiting for it would skip
    // every event to come, RUN_COMPLETED included, and never end.
    if (this.cursor > last)
      throw new DomainError("BAD_INPUT", `afterSeq ${this.cursor} is beyond the run's last event (seq ${last})`);
    return !(sealed[0].sealed && this.cursor >= last);
  }

  /** The next batch: from the feed's buffer once the cursor reached it, else a backlog page. */
  private async refill(feed: RunFeed): Promise<void> {
    this.batch = [];
    this.i = 0;
    if (this.cursor >= feed.base) {
      this.ahead = null;
      this.batch = feed.after(this.cursor);
      // Read synchronously before waiting: no window where a wake-up is missed.
      if (this.batch.length === 0 && !this.closed) await this.wait(feed);
      return;
    }
    const page = await (this.ahead ?? readEvents(this.db, this.runId, { afterSeq: this.cursor, limit: MAX_PAGE }));
    this.ahead = null;
    if (this.closed) return;
    if (page.hasMore && page.nextSeq < feed.base) {
      this.ahead = readEvents(this.db, this.runId, { afterSeq: page.nextSeq, limit: MAX_PAGE });
      this.ahead.catch(() => {}); // a failure surfaces when the page is taken (or never, if closed)
    }
    this.batch = page.events;
    // An empty page means the log's head was reached: the next pass reads the buffer.
    // Only wait here if that cannot happen, to never spin.
    if (page.events.length === 0 && this.cursor < feed.base) await this.wait(feed);
  }

  private async wait(feed: RunFeed): Promise<void> {
    await feed.wait(this.setWaiting);
    this.waiting = null;
  }

  private readonly setWaiting = (resolve: () => void) => {
    this.waiting = resolve;
  };

  /** End: release a pending wait and the feed (once), stop listening for the abort. */
  private finish(): IteratorReturnResult<undefined> {
    if (this.closed) return DONE;
    this.closed = true;
    this.batch = [];
    this.ahead = null;
    this.opts.signal?.removeEventListener("abort", this.abort);
    if (this.feed) {
      if (this.waiting) this.feed.cancel(this.waiting);
      this.hub.leave(this.feed);
    }
    this.opts.onEnd?.();
    return DONE;
  }
}

/**
 * Per-process hub of live run tails. `stream(runId, afterSeq)` yields every event with
 * `seq > afterSeq` exactly once and in order, then stays live, and ends after
 * RUN_COMPLETED. Gapless by construction: it joins the feed (listening) before it reads
 * the backlog, reads the backlog by seq pages until it reaches the feed's buffer, and
 * from then on takes only `seq > cursor` from the buffer.
 */
export class EventHub {
  private feeds = new Map<string, RunFeed>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly db: Db,
    notifier: Notifier,
  ) {
    notifier.on(CHANNELS.events, (payload) => {
      const i = payload.lastIndexOf(":");
      this.feeds.get(payload.slice(0, i))?.ring(Number(payload.slice(i + 1)));
    });
    notifier.onReconnect(() => {
      for (const f of this.feeds.values()) f.ring(0);
    });
  }

  /**
   * The safety sweep: the heads of all watched runs in one query; a feed behind the log
   * (its doorbell was lost) reads as if rung. A failed sweep is skipped: the next one,
   * the notifier's reconnect and the feeds' own retries catch up.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.feeds.size === 0) return;
    this.sweeping = true;
    try {
      const ids = [...this.feeds.keys()];
      const rows = await this.db.$queryRaw<{ id: string; last_seq: number }[]>`
        SELECT id::text AS id, last_seq FROM runs WHERE id = ANY(${ids}::uuid[])`;
      for (const r of rows) {
        const feed = this.feeds.get(r.id);
        const head = Number(r.last_seq);
        if (feed && feed.head >= 0 && head > feed.head) feed.ring(head);
      }
    } catch {
      // database unavailable: see above
    } finally {
      this.sweeping = false;
    }
  }

  /** Number of runs with a live tail in this process (for metrics). */
  get watchedRuns(): number {
    return this.feeds.size;
  }

  stream(runId: string, afterSeq: number, opts: StreamOptions = {}): AsyncIterableIterator<RunEventRecord> {
    const wanted = opts.types?.length ? new Set<string>(opts.types) : null;
    return new RunStream(this, this.db, runId, afterSeq, wanted, opts);
  }

  /** @internal RunStream's: count a subscriber of the run's feed (created and loaded on first use). */
  async join(runId: string): Promise<RunFeed> {
    let feed = this.feeds.get(runId);
    if (!feed) {
      feed = new RunFeed(this.db, runId);
      this.feeds.set(runId, feed);
      if (!this.sweepTimer) {
        this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
        this.sweepTimer.unref();
      }
    }
    feed.subscribers++;
    try {
      await feed.init();
    } catch (err) {
      this.leave(feed);
      throw err;
    }
    return feed;
  }

  /** @internal */
  leave(feed: RunFeed) {
    if (--feed.subscribers === 0) {
      feed.close();
      this.feeds.delete(feed.runId);
      if (this.feeds.size === 0 && this.sweepTimer) {
        clearInterval(this.sweepTimer);
        this.sweepTimer = null;
      }
    }
  }
}
