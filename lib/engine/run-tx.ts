import type { Db, Tx } from "../db/client";
import type { Run } from "../db/generated/client";
import { notFound } from "../errors";
import { appendEvents } from "../events/append";
import { CHANNELS, type EventType } from "../events/types";

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
 * transaction (gapless seqs); doorbells are NOTIFYs, delivered only if it commits.
 */
export async function withRun<T>(db: Db, runId: string, fn: (c: RunTx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM runs WHERE id = ${runId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound("run");
    const run = (await tx.run.findUnique({ where: { id: runId } }))!;
    const events: { type: EventType; payload: Record<string, unknown> }[] = [];
    let wake = false;
    let cancel = false;
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
    const result = await fn(c);
    if (events.length) {
      await appendEvents(tx, runId, events);
      await tx.$executeRaw`SELECT pg_notify(${CHANNELS.runs}, ${`${c.run.namespace}:${runId}`})`;
    }
    if (wake) await tx.$executeRaw`SELECT pg_notify(${CHANNELS.work}, ${runId})`;
    if (cancel) await tx.$executeRaw`SELECT pg_notify(${CHANNELS.cancel}, ${runId})`;
    return result;
  });
}
