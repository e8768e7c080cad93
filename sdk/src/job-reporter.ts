import { isSignalboxError } from "./errors.js";
import { ReportDocument } from "./generated.js";
import { type Connection, requestRetrying } from "./http.js";

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** The server's caps per report call. */
const MAX_PER_REPORT = 1_000;
/** Lines kept while the server is slow; older ones are dropped and counted. */
const MAX_BUFFERED_LOGS = 20_000;
const FLUSH_EVERY_MS = 200;

/**
 * A job's live reports, batched: everything said within ~200 ms goes in one `reportNode`
 * (progress: the latest; cost: the sum; logs, metric values and result rows in order).
 * One report is in flight at a time. A LEASE_LOST answer calls `onLost` (the job aborts).
 */
export class JobReporter {
  private logs: { level: LogLevel; message: string }[] = [];
  private results: Record<string, unknown>[] = [];
  /** Every metric value with its time: the run page charts each one. */
  private metrics: { name: string; value: number; at: string }[] = [];
  private costDelta = 0;
  private progressValue: number | undefined;
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly conn: Connection,
    private readonly ref: { nodeId: string; epoch: number },
    private readonly onLost: (err: unknown) => void,
  ) {}

  log(level: LogLevel, message: string) {
    if (this.logs.length >= MAX_BUFFERED_LOGS) {
      this.logs.shift();
      this.dropped++;
    }
    this.logs.push({ level, message: String(message) });
    this.schedule();
  }

  progress(value: number) {
    if (Number.isFinite(value)) this.progressValue = Math.min(1, Math.max(0, value));
    this.schedule();
  }

  cost(delta: number) {
    if (Number.isFinite(delta) && delta > 0) this.costDelta += delta;
    this.schedule();
  }

  metric(name: string, value: number) {
    if (Number.isFinite(value)) this.metrics.push({ name, value, at: new Date().toISOString() });
    this.schedule();
  }

  result(row: Record<string, unknown>) {
    this.results.push(row);
    this.schedule();
  }

  /** Send everything reported so far (before completing or failing). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sending = this.sending.then(() => this.sendAll());
    await this.sending;
  }

  close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule() {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sending = this.sending.then(() => this.sendAll()).catch(() => {});
    }, FLUSH_EVERY_MS);
  }

  private async sendAll() {
    while (this.pending()) {
      if (this.dropped) {
        this.logs.unshift({ level: "WARNING", message: `${this.dropped} log lines dropped (the server was slower)` });
        this.dropped = 0;
      }
      const input = {
        ...this.ref,
        logs: this.logs.splice(0, MAX_PER_REPORT),
        results: this.results.splice(0, MAX_PER_REPORT),
        progress: this.progressValue,
        costDelta: this.costDelta || undefined,
        metricPoints: this.metrics.length ? this.metrics.splice(0, MAX_PER_REPORT) : undefined,
      };
      this.progressValue = undefined;
      this.costDelta = 0;
      try {
        await requestRetrying(this.conn, ReportDocument, { input });
      } catch (err) {
        if (isSignalboxError(err, "LEASE_LOST")) this.onLost(err);
        throw err;
      }
    }
  }

  private pending() {
    return (
      this.logs.length > 0 ||
      this.results.length > 0 ||
      this.progressValue !== undefined ||
      this.costDelta > 0 ||
      this.metrics.length > 0 ||
      this.dropped > 0
    );
  }
}
