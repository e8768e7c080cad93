import os from "node:os";
import { isSignalboxError, SignalboxError } from "./errors.js";
import { ClaimDocument, CompleteDocument, FailDocument, HeartbeatDocument, ReleaseDocument } from "./generated.js";
import { type Connection, request, requestRetrying } from "./http.js";
import { JobReporter, type LogLevel } from "./job-reporter.js";
import { sleep } from "./sleep.js";

/** A leased external node, handed to the handler. */
export interface Job {
  runId: string;
  nodeId: string;
  nodeKey: string;
  attempt: number;
  /** The fencing token of this lease (reports carry it). */
  epoch: number;
  /** The node's `with.input`. */
  input: unknown;
  /** Aborts when the run is cancelled, the lease is lost, or the worker stops at its deadline. */
  signal: AbortSignal;
  log(message: string, level?: LogLevel): void;
  /** 0..1 */
  progress(value: number): void;
  /** Cost spent since the last call, added to the node and the run. */
  cost(delta: number): void;
  metric(name: string, value: number): void;
  /** A row appended to the run's results table. */
  result(row: Record<string, unknown>): void;
}

export interface WorkerOptions extends Connection {
  /** The `with.queue` of the external nodes this worker runs. */
  queue: string;
  /** Jobs at once (default 1). */
  concurrency?: number;
  /** Lease length; the worker heartbeats well before it runs out (default 30 s). */
  leaseMs?: number;
  /** A name for this worker in leases and logs (default host:pid). */
  name?: string;
  /** Does the work: its return value is the node's output, a throw fails the attempt. */
  handler: (job: Job) => unknown | Promise<unknown>;
  /** Failures the worker survives (claim errors, lost leases…), for logs. */
  onError?: (err: unknown, job?: Job) => void;
  /** How long one idle claim waits on the server for work (default 25 s, at most 30 s). */
  waitMs?: number;
}

export interface Worker {
  start(): Promise<void>;
  /**
   * Graceful stop: stop claiming at once, let running jobs finish until `deadlineMs`
   * (default 30 s), then abort the rest and give their leases back (they are queued again
   * without spending an attempt). Resolves when every job has settled.
   */
  stop(opts?: { deadlineMs?: number }): Promise<void>;
  /** Jobs running now. */
  readonly running: number;
}

/** How often a lease is extended: a third of it, and at least every 5 s so cancels are seen quickly. */
const heartbeatEvery = (leaseMs: number) => Math.max(250, Math.min(leaseMs / 3, 5_000));

/**
 * A worker for `external` nodes on one queue. One claim is in flight at a time while a slot
 * is free, and it long-polls (`claimNode(waitMs:)`): the server answers as soon as work is
 * ready, so an idle worker sends one request per `waitMs` and never busy-polls. Each job
 * heartbeats by itself; reports are batched; the epoch fences every report.
 */
export function createWorker(opts: WorkerOptions): Worker {
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const leaseMs = opts.leaseMs ?? 30_000;
  const waitMs = Math.min(30_000, opts.waitMs ?? 25_000);
  const name = opts.name ?? `${os.hostname()}:${process.pid}`;
  const conn: Connection = { url: opts.url, token: opts.token, fetch: opts.fetch };
  const onError = opts.onError ?? (() => {});
  const jobs = new Map<string, { job: Job; abort: AbortController; settled: Promise<void> }>();
  let stopping = false;
  let loop: Promise<void> | null = null;
  const claimAbort = new AbortController();
  let slotFreed: (() => void) | null = null;

  async function claimLoop() {
    let failures = 0;
    while (!stopping) {
      if (jobs.size >= concurrency) {
        await new Promise<void>((r) => (slotFreed = r));
        continue;
      }
      try {
        const { claimNode: lease } = await request(
          conn,
          ClaimDocument,
          { queue: opts.queue, leaseMs, worker: name, waitMs },
          claimAbort.signal,
        );
        failures = 0;
        if (lease && !stopping) startJob(lease);
        else if (lease) await release(lease.nodeId, lease.epoch, "worker stopping");
      } catch (err) {
        if (stopping) return;
        if (isSignalboxError(err, "UNAUTHENTICATED") || isSignalboxError(err, "FORBIDDEN")) {
          onError(err);
          stopping = true;
          throw err;
        }
        onError(err);
        const delay = Math.min(30_000, 500 * 2 ** failures++) * (0.5 + Math.random());
        await sleep(delay, claimAbort.signal);
      }
    }
  }

  function startJob(lease: {
    runId: string;
    nodeId: string;
    nodeKey: string;
    epoch: number;
    attempt: number;
    input: unknown;
  }) {
    const abort = new AbortController();
    const ref = { nodeId: lease.nodeId, epoch: lease.epoch };
    const reporter = new JobReporter(conn, ref, (err) => lost(err));
    const job: Job = {
      ...lease,
      signal: abort.signal,
      log: (message, level = "INFO") => reporter.log(level, message),
      progress: (v) => reporter.progress(v),
      cost: (d) => reporter.cost(d),
      metric: (n, v) => reporter.metric(n, v),
      result: (row) => reporter.result(row),
    };
    const lost = (err: unknown) => {
      if (abort.signal.aborted) return;
      onError(err, job);
      abort.abort(err instanceof SignalboxError ? err : new SignalboxError("LEASE_LOST", String(err)));
    };
    const beat = setInterval(() => {
      request(conn, HeartbeatDocument, { ...ref, leaseMs }).catch((err) => {
        if (isSignalboxError(err, "LEASE_LOST") || isSignalboxError(err, "NOT_FOUND")) lost(err);
        else onError(err, job); // transient: the next beat tries again, well within the lease
      });
    }, heartbeatEvery(leaseMs));
    const settled = (async () => {
      try {
        const output = await opts.handler(job);
        if (abort.signal.aborted) return;
        await reporter.flush();
        await requestRetrying(conn, CompleteDocument, { ...ref, output: output ?? null });
      } catch (err) {
        if (abort.signal.aborted) return; // lease gone or released: nothing to report
        await reporter.flush().catch(() => {});
        const message = err instanceof Error ? err.message : String(err);
        await requestRetrying(conn, FailDocument, { ...ref, error: message || "failed" }).catch((e) => onError(e, job));
      }
    })()
      .catch((err) => onError(err, job))
      .finally(() => {
        clearInterval(beat);
        reporter.close();
        jobs.delete(lease.nodeId);
        slotFreed?.();
        slotFreed = null;
      });
    jobs.set(lease.nodeId, { job, abort, settled });
  }

  async function release(nodeId: string, epoch: number, reason: string) {
    await requestRetrying(conn, ReleaseDocument, { nodeId, epoch, reason }).catch((err) => onError(err));
  }

  return {
    get running() {
      return jobs.size;
    },
    async start() {
      if (loop) return;
      loop = claimLoop().catch((err) => onError(err));
    },
    async stop({ deadlineMs = 30_000 } = {}) {
      stopping = true;
      claimAbort.abort();
      slotFreed?.();
      const all = () => Promise.all([...jobs.values()].map((j) => j.settled));
      const timer = new AbortController();
      await Promise.race([all(), sleep(deadlineMs, timer.signal)]);
      timer.abort();
      // Past the deadline: abort what still runs and give its lease back for another worker.
      const left = [...jobs.values()];
      for (const j of left) j.abort.abort(new SignalboxError("CONNECTION", "worker stopping"));
      await Promise.all(left.map((j) => release(j.job.nodeId, j.job.epoch, `worker ${name} stopped`)));
      await all();
      await loop;
    },
  };
}
