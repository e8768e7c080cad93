import type { Db } from "../db/client";
import type { LogLevel } from "../events/types";
import type { Reporter } from "./executors/types";
import { type LeaseRef, type ProgressReport, reportProgress } from "./report";

/** Flush live reports at most this often: a chatty command costs one transaction per tick. */
const FLUSH_MS = 100;
const MAX_BUFFERED_LOGS = 2_000;
/** Log lines are capped so one runaway line cannot bloat the log (SPEC: payload limits). */
const MAX_LINE = 8_192;

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
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    const clean = message.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").slice(0, MAX_LINE);
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

  /** Write what is buffered (serialized: flushes never overlap). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = {};
    this.flushing = this.flushing.then(async () => {
      if (this.lost || Object.keys(batch).length === 0) return;
      try {
        await reportProgress(this.db, this.ref, batch);
      } catch (err) {
        this.lost = true;
        this.onLeaseLost(err);
      }
    });
    return this.flushing;
  }
}
