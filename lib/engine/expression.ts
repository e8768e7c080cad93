/**
 * JSONata evaluation for `transform`, gate `show` and map `over`, off the event loop.
 *
 * Expressions are written by OPERATORs, so they are untrusted code: one could loop for
 * minutes or allocate gigabytes, and in the server's own thread that would freeze every
 * request and subscription. Each evaluation runs in a small pool of worker threads with a
 * heap limit, under jsonata's guardrails (time, depth, sequence length), and the thread is
 * terminated when one step outlasts the time budget (a catastrophic regex cannot be
 * interrupted from inside). Threads are reused, so a trivial transform costs one message
 * round trip, not a thread start.
 */
import { Worker } from "node:worker_threads";
import { env } from "../env";

export interface ExpressionLimits {
  timeoutMs: number;
  maxDepth: number;
  maxSequence: number;
  maxResultBytes: number;
  memoryMb: number;
  workers: number;
}

/** Results above this many bytes fail the node (node outputs are capped at 64 KiB later anyway). */
const MAX_EXPRESSION_RESULT_BYTES = 1024 * 1024;
/** jsonata's evaluation depth (nested steps and function calls). */
const MAX_EXPRESSION_DEPTH = 500;
/** Extra time for the thread to report its own timeout before it is terminated. */
const KILL_GRACE_MS = 250;

const WORKER_URL = new URL("./expression-worker.mjs", import.meta.url);

interface Task {
  id: number;
  expression: string;
  data: unknown;
  signal?: AbortSignal;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  /** Set once the thread has loaded jsonata: the time budget starts then. */
  ready: boolean;
  task: Task | null;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

/** A thread that has not booted within this long is given up (its task fails). */
const BOOT_TIMEOUT_MS = 15_000;

export class ExpressionPool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;

  constructor(readonly limits: ExpressionLimits) {}

  evaluate(expression: string, data: unknown, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(toError(signal.reason));
      this.queue.push({ id: this.nextId++, expression, data, signal, resolve, reject });
      this.pump();
    });
  }

  /** Start every thread now, so the first evaluations do not wait for threads to boot. */
  warm(): void {
    while (this.slots.length < this.limits.workers) this.spawn();
  }

  /** Terminate every thread (tests; the process exit does it otherwise). */
  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) this.finish(s, new Error("expression pool closed"));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private pump() {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.limits.workers) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      if (task.signal?.aborted) {
        task.reject(toError(task.signal.reason));
        continue;
      }
      this.run(slot, task);
    }
  }

  private spawn(): Slot {
    const { timeoutMs, maxDepth, maxSequence, maxResultBytes, memoryMb } = this.limits;
    const worker = new Worker(WORKER_URL, {
      workerData: { timeoutMs, maxDepth, maxSequence, maxResultBytes },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      // No access to the server's environment (DATABASE_URL, tokens) from expression code.
      env: {},
      // Plain JavaScript: no TypeScript loader (tsx) to boot in each thread.
      execArgv: [],
    });
    worker.unref();
    const slot: Slot = { worker, ready: false, task: null };
    worker.on("message", (m: { ready?: true; id: number; ok: boolean; json?: string; message?: string }) => {
      if (m.ready) {
        slot.ready = true;
        if (slot.task) this.startClock(slot);
        return;
      }
      if (slot.task?.id !== m.id) return;
      const task = slot.task;
      this.finish(slot);
      if (m.ok) task.resolve(JSON.parse(m.json ?? "null"));
      else task.reject(new Error(m.message));
      this.pump();
    });
    worker.on("error", (err: Error & { code?: string }) => {
      const why =
        err.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `expression exceeded its memory budget (${memoryMb} MiB)`
          : `expression evaluation failed: ${err.message}`;
      this.replace(slot, new Error(why));
    });
    worker.on("exit", () => this.replace(slot, new Error("expression evaluation stopped")));
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, task: Task) {
    slot.task = task;
    slot.worker.ref();
    if (slot.ready) this.startClock(slot);
    else
      slot.timer = setTimeout(() => {
        this.replace(slot, new Error("expression evaluation could not start (thread did not boot)"));
        void slot.worker.terminate();
      }, BOOT_TIMEOUT_MS);
    if (task.signal) {
      slot.onAbort = () => {
        this.replace(slot, toError(task.signal?.reason));
        void slot.worker.terminate();
      };
      task.signal.addEventListener("abort", slot.onAbort, { once: true });
    }
    try {
      slot.worker.postMessage({ id: task.id, expression: task.expression, data: task.data });
    } catch (err) {
      // Data that cannot be cloned (never the case for JSON inputs): fail this task only.
      this.finish(slot);
      task.reject(toError(err));
      this.pump();
    }
  }

  /** The time budget of the slot's task, from when its thread can evaluate. */
  private startClock(slot: Slot) {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      this.replace(slot, new Error(`expression ran longer than its time budget (${this.limits.timeoutMs} ms)`));
      void slot.worker.terminate();
    }, this.limits.timeoutMs + KILL_GRACE_MS);
  }

  /** Detach the slot's task (settling it with `err` when given) and let the thread idle. */
  private finish(slot: Slot, err?: Error) {
    const task = slot.task;
    clearTimeout(slot.timer);
    if (task?.signal && slot.onAbort) task.signal.removeEventListener("abort", slot.onAbort);
    slot.task = null;
    slot.onAbort = undefined;
    slot.worker.unref();
    if (task && err) task.reject(err);
  }

  /** Drop a thread that was terminated or died; its task fails with `err`; the queue moves on. */
  private replace(slot: Slot, err: Error) {
    const i = this.slots.indexOf(slot);
    if (i === -1) return;
    this.slots.splice(i, 1);
    this.finish(slot, err);
    this.pump();
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e ?? "aborted"));
}

let shared: ExpressionPool | undefined;

/** The process's pool, sized and budgeted from the environment on first use. */
export function expressionPool(): ExpressionPool {
  if (!shared) {
    const e = env();
    shared = new ExpressionPool({
      timeoutMs: e.SIGNALBOX_EXPRESSION_TIMEOUT_MS,
      maxDepth: MAX_EXPRESSION_DEPTH,
      maxSequence: e.SIGNALBOX_EXPRESSION_MAX_SEQUENCE,
      maxResultBytes: MAX_EXPRESSION_RESULT_BYTES,
      memoryMb: e.SIGNALBOX_EXPRESSION_MEMORY_MB,
      workers: e.SIGNALBOX_EXPRESSION_WORKERS,
    });
  }
  return shared;
}

/** Evaluate a JSONata expression within the budgets; the result is plain JSON (`null` for no match). */
export function evaluate(expression: string, data: unknown, signal?: AbortSignal): Promise<unknown> {
  return expressionPool().evaluate(expression, data, signal);
}
