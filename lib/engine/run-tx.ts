import type { Db, Tx } from "../db/client";
import type { Run } from "../db/generated/client";
import { DomainError, notFound } from "../errors";
import { appendEvents } from "../events/append";
import { doorbell } from "../events/doorbell";
import { CHANNELS, type EventType } from "../events/types";
import { enqueueDeliveries } from "../webhooks/outbox";

/** A state change of one run, under that run's row lock. */
export interface RunTx {
  tx: Tx;
  run: Run;
  /** Queue an event; all are appended in one batch at the end of the transaction. */
  emit(type: EventType, payload: Record<string, unknown>): void;
  /** Nodes became claimable: ring the workers' doorbell at commit. */
  wakeWorkers(): void;
  /** Running executors of this run must abort (cancel). */
  signalCancel(): void;
  /** Re-read the run row after updating it. */
  refresh(): Promise<Run>;
}

/**
 * Run `fn` in a transaction holding the run's row lock (`SELECT … FOR UPDATE`). Lock
 * order everywhere: the run row first, then its node rows — so two state changes of one
 * run serialize and never deadlock. Events emitted by `fn` are appended in the same
 * transaction (gapless seqs), with the webhook deliveries they cause (lib/webhooks/outbox.ts);
 * doorbells (NOTIFY) are rung after it commits.
 */
export async function withRun<T>(db: Db, runId: string, fn: (c: RunTx) => Promise<T>): Promise<T> {
  return (await changeRun(db, runId, fn, false)) as T;
}

/** `withRun` only if nobody holds the run's lock now (`SKIP LOCKED`); else `SKIPPED` at once. */
export async function withRunIfFree<T>(
  db: Db,
  runId: string,
  fn: (c: RunTx) => Promise<T>,
): Promise<T | typeof SKIPPED> {
  return changeRun(db, runId, fn, true);
}

export const SKIPPED = Symbol("run locked elsewhere");

async function changeRun<T>(
  db: Db,
  runId: string,
  fn: (c: RunTx) => Promise<T>,
  skipLocked: boolean,
): Promise<T | typeof SKIPPED> {
  let wake = false;
  let cancel = false;
  let appended: { lastSeq: number } | null = null;
  let namespace = "";
  let deliveries = 0;
  const result = await db.$transaction(async (tx) => {
    const locked = skipLocked
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM runs WHERE id = ${runId}::uuid FOR UPDATE SKIP LOCKED`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM runs WHERE id = ${runId}::uuid FOR UPDATE`;
    if (locked.length === 0) {
      if (skipLocked) return SKIPPED;
      throw notFound("run");
    }
    const run = (await tx.run.findUnique({ where: { id: runId } }))!;
    const events: { type: EventType; payload: Record<string, unknown> }[] = [];
    const c: RunTx = {
      tx,
      run,
      emit: (type, payload) => events.push({ type, payload }),
      wakeWorkers: () => {
        wake = true;
      },
      signalCancel: () => {
        cancel = true;
      },
      refresh: async () => {
        c.run = (await tx.run.findUnique({ where: { id: runId } }))!;
        return c.run;
      },
    };
    const out = await fn(c);
    appended = events.length ? await appendEvents(tx, runId, events) : null;
    // The log is sealed after RUN_COMPLETED: a change whose events cannot be recorded must
    // not be committed either, or the tables and the log would disagree. Throwing rolls
    // the whole transaction back.
    if (events.length && !appended) {
      throw new DomainError("INVALID_TRANSITION", `run ${runId} has completed: nothing may change after RUN_COMPLETED`);
    }
    // The webhook outbox, in this transaction: a delivery exists exactly when its event does.
    // A batch without a gate, pause or completion (nearly all of them) queries nothing.
    if (appended) deliveries = await enqueueDeliveries(tx, runId, events);
    namespace = c.run.namespace;
    return out;
  });
  // Doorbells only after commit (never for a rolled-back change), coalesced per process.
  const bell = doorbell(db);
  if (appended) {
    bell.events(runId, (appended as { lastSeq: number }).lastSeq);
    bell.other(CHANNELS.runs, `${namespace}:${runId}`);
  }
  if (wake) bell.other(CHANNELS.work, runId);
  if (cancel) bell.other(CHANNELS.cancel, runId);
  if (deliveries) bell.other(CHANNELS.webhooks, namespace);
  return result;
}
