import type { Db } from "../db/client";
import { isDomainError } from "../errors";
import type { LogLevel } from "../events/types";
import { escapeControl } from "../limits";
import type { Reporter } from "./executors/types";
import { type LeaseRef, type ProgressReport, reportProgress } from "./report";

/** Flush live reports at most this often: a chatty command costs one transaction per tick. */
const FLUSH_MS = 100;
const MAX_BUFFERED_LOGS = 2_000;
/** Log lines are capped so one runaway line cannot bloat the log (SPEC: payload limits). */
const MAX_LINE = 8_192;
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
    this.pending.metrics = { ...this.pending.metrics, [name]: value };
    this.schedule();
  }
  log(level: LogLevel, message: string) {
    this.pending.logs ??= [];
    const logs = this.pending.logs;
    const clean = escapeControl(message.slice(0, MAX_LINE));
    if (logs.length < MAX_BUFFERED_LOGS) logs.push({ level, message: clean });
    this.schedule(logs.length >= 500);
  }
  result(row: Record<string, unknown>) {
    this.pending.results ??= [];
    this.pending.results.push(row);
    this.schedule();
  }

  private schedule(now = false) {
    if (now) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private requeue(batch: ProgressReport) {
    const p = this.pending;
    this.pending = {
      progress: p.progress ?? batch.progress,
      costDelta: (batch.costDelta ?? 0) + (p.costDelta ?? 0) || undefined,
      metrics: batch.metrics || p.metrics ? { ...batch.metrics, ...p.metrics } : undefined,
      logs: [...(batch.logs ?? []), ...(p.logs ?? [])].slice(-MAX_BUFFERED_LOGS),
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
    this.flushing = this.flushing.then(async () => {
      if (this.lost || !hasContent(batch)) return;
      try {
        await reportProgress(this.db, this.ref, batch);
      } catch (err) {
        if (isDomainError(err, "LEASE_LOST")) {
          this.lost = true;
          this.onLeaseLost(err);
        } else if (isDomainError(err)) {
          // A refused batch (e.g. an oversized line): drop it, say so, carry on.
          this.log("WARNING", `report dropped: ${err.message}`);
        } else {
          // Database unreachable: keep the batch and try again shortly.
          this.requeue(batch);
        }
      }
    });
    return this.flushing;
  }
}

function hasContent(b: ProgressReport): boolean {
  return (
    b.progress !== undefined ||
    !!b.costDelta ||
    !!(b.metrics && Object.keys(b.metrics).length) ||
    !!b.logs?.length ||
    !!b.results?.length
  );
}
