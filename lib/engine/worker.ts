import { hostname } from "node:os";
import type { Db } from "../db/client";
import { errorText, isDomainError } from "../errors";
import type { Notifier } from "../events/notifier";
import { CHANNELS } from "../events/types";
import { metrics } from "../metrics";
import { type Claim, claimNodes } from "./claim";
import { startQueuedRuns } from "./control";
import { executorFor } from "./executors";
import type { ExecOutcome, ExecSettings } from "./executors/types";
import { expressionPool } from "./expression";
import { enterWaiting, expireGates } from "./gates";
import { reapExpiredLeases } from "./leases";
import { expandMap } from "./map";
import { specOf } from "./node-config";
import { completeNode, completeNodes, failNode, heartbeat, type LeaseRef } from "./report";
import { BufferedReporter } from "./reporter";

export interface WorkerOptions {
  concurrency: number;
  /**
   * Most nodes of one namespace this worker runs at once (default: three quarters of
   * `concurrency`, at least 1): a namespace that floods the queue leaves slots for others.
   */
  namespaceConcurrency?: number;
  leaseMs: number;
  settings: ExecSettings;
  /** Safety-net poll when no doorbell rings (retry backoffs, lost NOTIFYs). */
  pollMs?: number;
  log?: (level: "info" | "warn" | "error", msg: string, err?: unknown) => void;
}

/** Queued runs started and nodes claimed per pass of the claim loop (see `claimAndRun`). */
const PASS_SIZE = 8;

interface Active {
  ref: LeaseRef;
  namespace: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Executes ready nodes. Any number of workers (in `npm start` or `npm run worker`
 * processes) share the queue: claims use row locks with SKIP LOCKED, leases are kept
 * alive by heartbeats, and every report is fenced by the lease epoch.
 */
export class Worker {
  readonly owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private active = new Map<string, Active>();
  private readonly completions: CompletionBatcher;
  private timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private again = false;
  private stopped = true;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    private readonly opts: WorkerOptions,
  ) {
    this.completions = new CompletionBatcher(db);
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe.push(
      this.notifier.on(CHANNELS.work, () => this.tick()),
      this.notifier.on(CHANNELS.cancel, (runId) => this.abortRun(runId, "run cancelled")),
      this.notifier.onReconnect(() => this.tick()),
    );
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => fn().catch((e) => this.log("warn", "background task failed", e)), ms);
      t.unref();
      this.timers.push(t);
    };
    // JSONata threads boot now rather than under the first transforms (expression.ts).
    expressionPool().warm();
    every(this.opts.pollMs ?? 500, async () => this.tick());
    every(Math.max(200, Math.floor(this.opts.leaseMs / 3)), () => this.beat());
    every(1_000, async () => {
      await reapExpiredLeases(this.db);
      await expireGates(this.db);
    });
    this.tick();
  }

  /** Stop claiming; wait up to `graceMs` for running nodes, then abort the rest. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const u of this.unsubscribe) u();
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    const timeout = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([all, timeout]);
    for (const a of this.active.values()) a.abort.abort(new CancelReason("worker stopping"));
    // Hand the nodes back now instead of after the lease TTL: the reaper retries them.
    const ids = [...this.active.keys()];
    if (ids.length)
      await this.db
        .$executeRaw`UPDATE run_nodes SET lease_expires_at = now() WHERE id = ANY(${ids}::uuid[]) AND status = 'RUNNING'`.catch(
        () => {},
      );
    await Promise.race([
      Promise.all([...this.active.values()].map((a) => a.done)),
      new Promise((r) => setTimeout(r, 3000).unref()),
    ]);
  }

  /** See `WorkerOptions.namespaceConcurrency`. */
  get perNamespace(): number {
    const { concurrency, namespaceConcurrency } = this.opts;
    return Math.min(concurrency, namespaceConcurrency ?? Math.max(1, Math.floor((concurrency * 3) / 4)));
  }

  get running(): number {
    return this.active.size;
  }

  tick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    this.claimAndRun()
      .catch((e) => this.log("warn", "claim failed", e))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.tick();
        }
      });
  }

  /**
   * One short pass: start a few queued runs (two per namespace at most), claim a few nodes,
   * and go again while there is more. Short passes keep the round-robin fair under load:
   * work another namespace queues meanwhile waits for one pass, not for a flood's hundred
   * run starts and claims.
   */
  private async claimAndRun() {
    const picked = await startQueuedRuns(this.db, PASS_SIZE, 2, (id, e) =>
      this.log("warn", `starting run ${id} failed`, e),
    );
    const free = this.opts.concurrency - this.active.size;
    const running = new Map<string, number>();
    for (const a of this.active.values()) running.set(a.namespace, (running.get(a.namespace) ?? 0) + 1);
    const want = Math.min(free, PASS_SIZE);
    const claims = await claimNodes(
      this.db,
      this.owner,
      want,
      this.opts.leaseMs,
      { perNamespace: this.perNamespace, running },
      (id, e) => this.log("warn", `claiming in run ${id} failed`, e),
    );
    metrics.nodesClaimed.inc(claims.length);
    for (const c of claims) this.launch(c);
    if (picked > 0 || (want > 0 && claims.length >= want && free > want)) this.again = true;
  }

  private launch(claim: Claim) {
    const ref: LeaseRef = { runId: claim.runId, nodeId: claim.node.id, epoch: claim.epoch };
    const abort = new AbortController();
    const entry: Active = { ref, namespace: claim.namespace, abort, done: Promise.resolve() };
    this.active.set(claim.node.id, entry);
    entry.done = this.execute(claim, ref, abort)
      .catch((e) => {
        if (!isDomainError(e, "LEASE_LOST")) this.log("error", `node ${claim.node.key} report failed`, e);
      })
      .finally(() => {
        this.active.delete(claim.node.id);
        this.tick();
      });
  }

  private async execute(claim: Claim, ref: LeaseRef, abort: AbortController) {
    const spec = specOf(claim.node);
    const reporter = new BufferedReporter(this.db, ref, (err) => abort.abort(err));
    const timer = spec.timeoutMs
      ? setTimeout(() => abort.abort(new Error(`timed out after ${spec.timeoutMs} ms`)), spec.timeoutMs)
      : undefined;
    let outcome: ExecOutcome;
    // Reading the inputs is the engine's work, not the node's: a database outage here is
    // retried, and if it outlasts the retries the node is left to its lease (the reaper
    // retries it), never failed for it.
    let loaded: Awaited<ReturnType<Worker["loadInputs"]>>;
    try {
      loaded = await retryTransient(() => this.loadInputs(claim));
    } catch (err) {
      clearTimeout(timer);
      this.log("warn", `node ${claim.node.key}: reading its inputs failed; its lease will expire`, err);
      return;
    }
    try {
      const { inputs, params, commandsAllowed } = loaded;
      outcome = await executorFor(spec.kind)({
        runId: claim.runId,
        key: claim.node.key,
        attempt: claim.node.attempt,
        spec,
        inputs,
        params,
        item: spec.item,
        index: spec.index,
        signal: abort.signal,
        report: reporter,
        settings: this.opts.settings,
        commandsAllowed,
      });
    } catch (err) {
      clearTimeout(timer);
      await reporter.flush();
      if (reporter.lost || isCancel(abort.signal)) return;
      const reason = abort.signal.aborted ? abort.signal.reason : err;
      await retryTransient(() => failNode(this.db, ref, errorText(reason)));
      return;
    }
    clearTimeout(timer);
    await reporter.flush();
    if (reporter.lost) return;
    try {
      await retryTransient(() => {
        if (outcome.type === "succeeded")
          return spec.results
            ? completeNode(this.db, ref, outcome.output)
            : this.completions.complete(ref, outcome.output);
        if (outcome.type === "waiting") return enterWaiting(this.db, ref, outcome.presentation);
        return expandMap(this.db, ref, outcome.items);
      });
    } catch (err) {
      // An outcome the engine refuses (output over 64 KiB, too many map items) fails the attempt.
      if (!isDomainError(err, "BAD_INPUT")) throw err;
      await failNode(this.db, ref, err.message);
    }
  }

  private async loadInputs(claim: Claim) {
    const run = await this.db.run.findUniqueOrThrow({
      where: { id: claim.runId },
      select: { params: true, ns: { select: { allowCommands: true } } },
    });
    let needs = claim.node.needs;
    if (claim.node.parentKey) {
      const parent = await this.db.runNode.findUnique({
        where: { runId_key: { runId: claim.runId, key: claim.node.parentKey } },
      });
      needs = parent?.needs ?? [];
    }
    const rows = needs.length
      ? await this.db.runNode.findMany({
          where: { runId: claim.runId, key: { in: needs } },
          select: { key: true, output: true },
        })
      : [];
    const inputs = Object.fromEntries(rows.map((r) => [r.key, r.output ?? null]));
    const params = (run.params ?? {}) as Record<string, unknown>;
    return { inputs, params, commandsAllowed: this.opts.settings.allowCommands && run.ns.allowCommands };
  }

  private async beat() {
    const refs = [...this.active.values()].map((a) => a.ref);
    const lost = await heartbeat(this.db, refs, this.opts.leaseMs);
    for (const id of lost) this.active.get(id)?.abort.abort(new CancelReason("lease lost"));
  }

  private abortRun(runId: string, why: string) {
    for (const a of this.active.values()) if (a.ref.runId === runId) a.abort.abort(new CancelReason(why));
  }

  private log(level: "info" | "warn" | "error", msg: string, err?: unknown) {
    this.opts.log?.(level, msg, err);
  }
}

/**
 * Completions of one run's nodes that arrive while an earlier one is being recorded wait
 * for it and are then recorded together (`completeNodes`: one transaction, one
 * advanceRun). A lone completion goes at once; a busy map's children share commits.
 */
class CompletionBatcher {
  private readonly queues = new Map<string, Pending[]>();

  constructor(private readonly db: Db) {}

  complete(ref: LeaseRef, output: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(ref.runId);
      const item = { ref, output, resolve, reject };
      if (queue) queue.push(item);
      else {
        this.queues.set(ref.runId, [item]);
        void this.drain(ref.runId);
      }
    });
  }

  private async drain(runId: string) {
    const queue = this.queues.get(runId)!;
    while (queue.length) {
      const batch = queue.splice(0, BATCH_MAX);
      try {
        const answers = await completeNodes(this.db, runId, batch);
        batch.forEach((item, i) => {
          const answer = answers[i];
          if (answer) item.reject(answer);
          else item.resolve();
        });
      } catch (err) {
        for (const item of batch) item.reject(err);
      }
    }
    this.queues.delete(runId);
  }
}

interface Pending {
  ref: LeaseRef;
  output: unknown;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Most completions recorded in one transaction. */
const BATCH_MAX = 100;

/** Abort reasons that mean "stop quietly": the node's state was already decided elsewhere. */
class CancelReason extends Error {}
const isCancel = (s: AbortSignal) => s.aborted && s.reason instanceof CancelReason;

/**
 * Retry a report through a database outage (restart, failover): up to ~10 s with
 * back-off. Domain errors (LEASE_LOST, BAD_INPUT) are answers, not outages: no retry.
 * If the outage outlasts this, the lease expires and the node is retried elsewhere.
 */
async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  let delay = 200;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (isDomainError(err) || attempt >= 6) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 3_000);
    }
  }
}
