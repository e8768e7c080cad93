import type { Db } from "../db/client";
import type { Run } from "../db/generated/client";
import { DomainError } from "../errors";
import { advanceRun, finishRun, setNodes } from "./advance";
import { type RunTx, withRun } from "./run-tx";
import { costPayload } from "./snapshot";
import { canTransitionRun, nodeSourcesOf, type RunStatus } from "./statuses";

function transition(c: RunTx, to: RunStatus) {
  if (!canTransitionRun(c.run.status, to)) {
    throw new DomainError("INVALID_TRANSITION", `cannot move a ${c.run.status} run to ${to}`, {
      from: c.run.status,
      to,
    });
  }
}

async function setStatus(c: RunTx, status: RunStatus, reason: string | null, extra: { startedAt?: Date } = {}) {
  c.run = await c.tx.run.update({ where: { id: c.run.id }, data: { status, statusReason: reason, ...extra } });
  c.emit("RUN_STATUS", { status, reason, progress: c.run.progress });
}

/** QUEUED → RUNNING: queue the root nodes. Called by a worker that picked the run up. */
async function startRun(db: Db, runId: string): Promise<void> {
  await withRun(db, runId, async (c) => {
    // Sealed while queued (its log already ended): nothing may start.
    if (c.run.status !== "QUEUED" || c.run.sealed) return;
    await setStatus(c, "RUNNING", null, { startedAt: new Date() });
    await advanceRun(c);
  });
}

/**
 * Start QUEUED runs, oldest first but round-robin across namespaces (every namespace's
 * oldest, then every namespace's second oldest…), at most `perNamespace` of each: a
 * namespace that submits a hundred runs at once does not hold back another's. startRun
 * skips a run another worker started. Returns how many runs were picked.
 */
export async function startQueuedRuns(
  db: Db,
  limit = 20,
  perNamespace = limit,
  onError: (runId: string, err: unknown) => void = () => {},
): Promise<number> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM (
      SELECT id, created_at, row_number() OVER (PARTITION BY namespace ORDER BY created_at) AS rank
      FROM runs WHERE status = 'QUEUED') q
    WHERE rank <= ${perNamespace}
    ORDER BY rank, created_at LIMIT ${limit}`;
  // One run that cannot start must not hold back the others, nor the claims after this.
  for (const r of rows) await startRun(db, r.id).catch((err) => onError(r.id, err));
  return rows.length;
}

/** Pause: no new node starts; running nodes finish. */
export async function pauseRun(db: Db, runId: string): Promise<Run> {
  return withRun(db, runId, async (c) => {
    if (c.run.status === "PAUSED") return c.run;
    transition(c, "PAUSED");
    await setStatus(c, "PAUSED", "OPERATOR");
    return c.run;
  });
}

/** Resume a paused run. A run paused for budget stays paused until the budget allows the next node. */
export async function resumeRun(db: Db, runId: string): Promise<Run> {
  return withRun(db, runId, async (c) => {
    if (c.run.status === "RUNNING") return c.run;
    transition(c, "RUNNING");
    await setStatus(c, "RUNNING", null, c.run.startedAt ? {} : { startedAt: new Date() });
    await advanceRun(c);
    c.wakeWorkers();
    return c.run;
  });
}

/**
 * Cancel: every unfinished node becomes CANCELLED now, executors are told to abort
 * (NOTIFY → abort signal / SIGTERM), and the run is sealed. A late report from an
 * aborted executor finds its node no longer RUNNING and is rejected (LEASE_LOST), and
 * the sealed log refuses anything after RUN_COMPLETED: no node starts after the cancel.
 * `reason` becomes the run's error (a schedule's CANCEL_PREVIOUS says which fire replaced it).
 */
export async function cancelRun(db: Db, runId: string, reason = "cancelled by operator"): Promise<Run> {
  return withRun(db, runId, async (c) => {
    if (c.run.status === "CANCELLED") return c.run;
    transition(c, "CANCELLED");
    const open = await c.tx.runNode.findMany({
      where: { runId, status: { in: nodeSourcesOf("CANCELLED") } },
      select: { id: true },
    });
    // One UPDATE for all of them (a 1,000-child map is 1,000 rows), events in DAG order.
    await setNodes(
      c,
      open.map((n) => n.id),
      { status: "CANCELLED", finishedAt: new Date(), leaseExpiresAt: null, error: "run cancelled" },
    );
    c.signalCancel();
    await finishRun(c, "CANCELLED", reason);
    return c.run;
  });
}

/** Change the budget (null = unlimited). Does not resume a paused run by itself. */
export async function setBudget(db: Db, runId: string, budget: number | null): Promise<Run> {
  if (budget !== null && (!Number.isFinite(budget) || budget < 0)) {
    throw new DomainError("BAD_INPUT", "budget must be a non-negative number");
  }
  return withRun(db, runId, async (c) => {
    if (c.run.finishedAt) throw new DomainError("INVALID_TRANSITION", `the run is ${c.run.status}`);
    c.run = await c.tx.run.update({ where: { id: runId }, data: { budget } });
    c.emit("COST_UPDATE", costPayload(c.run));
    return c.run;
  });
}

/** Called under the run lock when the next node would overspend. */
export async function pauseForBudget(c: RunTx, nodeKey: string, cost: number) {
  await setStatus(c, "PAUSED", "BUDGET");
  c.emit("COST_UPDATE", { ...costPayload(c.run), blockedNode: nodeKey, nodeCost: cost });
}
