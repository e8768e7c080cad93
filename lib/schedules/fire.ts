import type { Db, Tx } from "../db/client";
import type { Schedule } from "../db/generated/client";
import { cancelRun } from "../engine/control";
import { type DomainError, isDomainError } from "../errors";
import { submitRun } from "../runs/submit-run";
import { type CronSchedule, firesBetween, nextFire, parseCron } from "./cron";

/**
 * A fire older than this when a tick handles it means the schedule went unticked for a
 * while (every process down, or the database unreachable): `catchUp` applies. Younger
 * fires are a tick merely late (a GC pause, a busy event loop) and all run.
 */
const LATE_MS = 5_000;

/**
 * Most missed fires recorded one by one after downtime (the latest ones). A `* * * * * *`
 * schedule down for a day missed 86,400; older ones are passed over unrecorded.
 */
const MAX_MISSED_RECORDS = 1_000;

/** What became of one fire time: a run, or skipped with why ("overlap", "missed while down", …). */
export interface FireOutcome {
  fireTime: Date;
  runId: string | null;
  skipped: string | null;
}

/** The idempotency key of a fire's run: one run per (schedule, fire time), whoever submits it. */
const fireKey = (scheduleId: string, fireTime: Date) => `schedule:${scheduleId}:${fireTime.toISOString()}`;

const UNFINISHED = ["QUEUED", "RUNNING", "PAUSED"] as const;

/**
 * Handle every fire of schedule `id` due by `now`, if it is enabled, due, and not being
 * handled by another process right now: start its runs, record each fire, move the cursor.
 *
 * Exactly one run per fire time comes from the run's idempotency key (`fireKey`) and the
 * `schedule_fires` primary key, not from locking: a process that dies after a fire's run
 * committed but before its record did leaves the cursor where it was, and whoever handles
 * the fire next finds that run by its key and records it. The row lock (`FOR NO KEY
 * UPDATE SKIP LOCKED`, held by this transaction) only keeps two processes from deciding
 * the same fire at once, which overlap decisions need. It is NO KEY so that inserting the
 * run (another connection: submitRun has its own transaction), whose foreign key takes
 * FOR KEY SHARE on this row, does not wait for this transaction — which waits for it.
 *
 * Returns null when there was nothing to do here (not due, disabled, or locked).
 */
export async function fireSchedule(
  db: Db,
  id: string,
  now: Date,
  opts: { allowCommands: (namespace: string) => Promise<boolean> },
): Promise<FireOutcome[] | null> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM schedules
      WHERE id = ${id}::uuid AND enabled AND next_fire_at <= ${now}
      FOR NO KEY UPDATE SKIP LOCKED`;
    if (locked.length === 0) return null;
    const s = await tx.schedule.findUniqueOrThrow({ where: { id } });
    let cron: CronSchedule;
    try {
      cron = parseCron(s.cron, s.timezone);
    } catch {
      // Checked when saved; only a library change could make it unreadable. Stop, don't spin.
      await tx.schedule.update({ where: { id }, data: { nextFireAt: null } });
      return [];
    }
    const after = s.firedUntil ?? s.createdAt;
    const until = after > now ? after : now;
    const { fires, truncated } = firesBetween(cron, after, until, s.catchUp + MAX_MISSED_RECORDS);
    const late = truncated || (fires.length > 0 && until.getTime() - fires[0].getTime() > LATE_MS);
    const running = late ? Math.min(s.catchUp, fires.length) : fires.length;
    const outcomes: FireOutcome[] = fires
      .slice(0, fires.length - running)
      .map((fireTime) => ({ fireTime, runId: null, skipped: "missed while down" }));
    const allowCommands = running > 0 && (await opts.allowCommands(s.namespace));
    for (const fireTime of fires.slice(fires.length - running)) {
      outcomes.push(await fireOnce(tx, db, s, fireTime, allowCommands));
    }
    if (outcomes.length) {
      await tx.scheduleFire.createMany({
        data: outcomes.map((o) => ({ scheduleId: id, ...o })),
        skipDuplicates: true,
      });
    }
    await tx.schedule.update({ where: { id }, data: { firedUntil: until, nextFireAt: nextFire(cron, until) } });
    return outcomes;
  });
}

/** One fire that is to run: apply the overlap policy, then submit (or find) its run. */
async function fireOnce(tx: Tx, db: Db, s: Schedule, fireTime: Date, allowCommands: boolean): Promise<FireOutcome> {
  const idempotencyKey = fireKey(s.id, fireTime);
  const prior = await tx.run.findUnique({
    where: { namespace_idempotencyKey: { namespace: s.namespace, idempotencyKey } },
    select: { id: true },
  });
  if (prior) return { fireTime, runId: prior.id, skipped: null };

  const unfinished = await tx.run.findMany({
    where: { scheduleId: s.id, status: { in: [...UNFINISHED] } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  if (unfinished.length && s.overlap === "SKIP") return { fireTime, runId: null, skipped: "overlap" };
  if (s.overlap === "CANCEL_PREVIOUS") {
    const reason = `cancelled by schedule ${s.name}: the fire at ${fireTime.toISOString()} replaced it`;
    for (const r of unfinished) {
      // It may have finished meanwhile (INVALID_TRANSITION): then there is nothing to cancel.
      await cancelRun(db, r.id, reason).catch((e) => {
        if (!isDomainError(e, "INVALID_TRANSITION")) throw e;
      });
    }
  }
  try {
    const run = await submitRun(
      db,
      {
        namespace: s.namespace,
        pipeline: s.pipeline,
        version: s.version,
        params: s.params as Record<string, unknown>,
        budget: s.budget,
        idempotencyKey,
        trigger: "SCHEDULE",
        scheduleId: s.id,
      },
      { allowCommands },
    );
    return { fireTime, runId: run.id, skipped: null };
  } catch (e) {
    // The pipeline was deleted or no longer validates, the namespace is full…: this fire
    // is skipped, saying why, and the schedule keeps going. Anything else (the database)
    // rolls the tick back, to be retried.
    if (isDomainError(e)) return { fireTime, runId: null, skipped: skipReason(e) };
    throw e;
  }
}

/** The refusal in one line, with a spec's problems (at most 500 characters). */
function skipReason(e: DomainError): string {
  const problems = (e.details.problems ?? []) as { path: string; message: string }[];
  const text = problems.length
    ? `${e.message}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`
    : e.message;
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
