import type { Db } from "../db/client";
import { isDomainError } from "../errors";
import type { LogLevel } from "../events/types";
import { escapeControl } from "../limits";
import type { Reporter } from "./executors/types";
import { type LeaseRef, type ProgressReport, reportProgress } from "./report";

/** Flush live reports at most this often: a chatty command costs one transaction per tick. */
const FLUSH_MS = 100;
/**
 * Buffered log lines and result rows. Past it a command's output is paused (see `full`),
 * so only producers that ignore backpressure can overflow it — and their overflow is
 * counted and reported, never dropped silently.
 */
const MAX_BUFFERED = 2_000;
/** Log lines are capped so one runaway line cannot bloat the log (SPEC: payload limits); above a command line's cap plus its marker. */
const MAX_LINE = 20_000;
/** Back-off before re-sending a batch that failed for a database error. */
const RETRY_MS = 1_000;

/**
 * Buffers an execution's progress, cost, metrics, logs and result rows and writes them in
 * batches under the node's lease. `onLeaseLost` fires when a write is fenced off.
 */
export class BufferedReporter implements Reporter {
  private pending: ProgressReport = {};
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Batches handed to the database and not yet settled (counted in `backlog`). */
  private inFlight = 0;
  /** Log lines that did not fit the buffer since the last notice. */
  private overflow = 0;
  /** Metric values that did not fit since the last notice. */
  private droppedMetrics = 0;
  private drainWaiters: (() => void)[] = [];
  lost = false;

  constructor(
    private readonly db: Db,
    private readonly ref: LeaseRef,
    private readonly onLeaseLost: (err: unknown) => void,
  ) {}

  progress(p: number) {
    this.pending.progress = p;
    this.schedule();
  }
  cost(delta: number) {
    this.pending.costDelta = (this.pending.costDelta ?? 0) + delta;
    this.schedule();
  }
  metric(name: string, value: number) {
    // Every value is kept (a chart point), within the same bound as log lines.
    this.pending.metrics ??= [];
    if (this.pending.metrics.length < MAX_BUFFERED) this.pending.metrics.push({ name, value, at: Date.now() });
    else this.droppedMetrics++;
    this.schedule();
  }
  log(level: LogLevel, message: string) {
    this.pending.logs ??= [];
    const logs = this.pending.logs;
    const cut =
      message.length > MAX_LINE
        ? `${message.slice(0, MAX_LINE)} … [line truncated: ${message.length - MAX_LINE} more characters]`
        : message;
    if (logs.length < MAX_BUFFERED) logs.push({ level, message: escapeControl(cut) });
    else this.overflow++;
    this.schedule(logs.length >= 500);
  }
  result(row: Record<string, unknown>) {
    this.pending.results ??= [];
    this.pending.results.push(row);
    this.schedule();
  }

  /** Log lines and result rows buffered or being written. */
  get backlog(): number {
    return (this.pending.logs?.length ?? 0) + (this.pending.results?.length ?? 0) + this.inFlight;
  }

  /** True when producers should pause until `drained()` (memory stays bounded). */
  get full(): boolean {
    return this.backlog >= MAX_BUFFERED;
  }

  /** Resolves once the backlog is under half the buffer (or the lease is lost). */
  drained(): Promise<void> {
    if (this.lost || this.backlog < MAX_BUFFERED / 2) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private wakeIfDrained() {
    if (!this.lost && this.backlog >= MAX_BUFFERED / 2) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private schedule(now = false) {
    if (now) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Put a batch the database did not take back in front of what came since (outage). */
  private requeue(batch: ProgressReport) {
    const p = this.pending;
    const logs = [...(batch.logs ?? []), ...(p.logs ?? [])];
    // Only a producer that ignores `full` gets here; keep the oldest lines and count the rest.
    if (logs.length > MAX_BUFFERED) this.overflow += logs.splice(MAX_BUFFERED).length;
    this.pending = {
      progress: p.progress ?? batch.progress,
      costDelta: (batch.costDelta ?? 0) + (p.costDelta ?? 0) || undefined,
      metrics: [...(batch.metrics ?? []), ...(p.metrics ?? [])].slice(0, MAX_BUFFERED),
      logs,
      results: [...(batch.results ?? []), ...(p.results ?? [])],
    };
    this.timer ??= setTimeout(() => void this.flush(), RETRY_MS);
  }

  /** Write what is buffered (serialized: flushes never overlap). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = {};
    if (this.droppedMetrics > 0) {
      const notice = `${this.droppedMetrics} metric value(s) dropped: the buffer was full (${MAX_BUFFERED} values)`;
      batch.logs = [...(batch.logs ?? []), { level: "WARNING", message: notice }];
      this.droppedMetrics = 0;
    }
    if (this.overflow > 0) {
      const notice = `${this.overflow} log line(s) dropped: the log buffer was full (${MAX_BUFFERED} lines)`;
      batch.logs = [...(batch.logs ?? []), { level: "WARNING", message: notice }];
      this.overflow = 0;
    }
    const size = (batch.logs?.length ?? 0) + (batch.results?.length ?? 0);
    this.inFlight += size;
    this.flushing = this.flushing.then(async () => {
      try {
        if (this.lost || !hasContent(batch)) return;
        await this.write(batch);
      } finally {
        this.inFlight -= size;
        this.wakeIfDrained();
      }
    });
    return this.flushing;
  }

  private async write(batch: ProgressReport) {
    try {
      await reportProgress(this.db, this.ref, batch);
    } catch (err) {
      if (isDomainError(err, "LEASE_LOST")) {
        this.lost = true;
        this.onLeaseLost(err);
      } else if (isDomainError(err)) {
        // A refused batch (e.g. an oversized result row): drop it, say what was lost, carry on.
        const lines = batch.logs?.length ?? 0;
        const rows = batch.results?.length ?? 0;
        this.log("WARNING", `report dropped (${lines} log line(s), ${rows} result row(s)): ${err.message}`);
      } else {
        // Database unreachable: keep the batch and try again shortly.
        this.requeue(batch);
      }
    }
  }
}

function hasContent(b: ProgressReport): boolean {
  return b.progress !== undefined || !!b.costDelta || !!b.metrics?.length || !!b.logs?.length || !!b.results?.length;
}
