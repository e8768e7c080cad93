import { randomUUID } from "node:crypto";
import type { Db, Run } from "../db/client";
import { Prisma } from "../db/client";
import type { Schedule, ScheduleFire } from "../db/generated/client";
import { DomainError, notFound } from "../errors";
import { nextFire, parseCron } from "./cron";
import { checkScheduleInput, type ScheduleFields, type ScheduleInput } from "./validate";

export type { Schedule, ScheduleFire };

/** Most schedules in one namespace (bounds `Query.schedules`; see graphql/guard/cost.ts). */
export const MAX_SCHEDULES = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Options {
  /** Whether `command` nodes may run in the namespace (lib/namespaces/settings `commandsAllowed`). */
  allowCommands: boolean;
}

/** The scheduler's cursor for a schedule that starts (or restarts) firing at `now`: nothing before it fires. */
function cursorFrom(fields: Pick<ScheduleFields, "cron" | "timezone" | "enabled">, now: Date) {
  return {
    firedUntil: now,
    nextFireAt: fields.enabled ? nextFire(parseCron(fields.cron, fields.timezone), now) : null,
  };
}

const fieldsOf = (s: Schedule): ScheduleFields => ({ ...s, params: s.params as Record<string, unknown> });

function nameTaken(e: unknown, name: string): never {
  if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
    const message = `a schedule named ${name} already exists`;
    throw new DomainError("CONFLICT", `name: ${message}`, { field: "name", problems: [{ path: "name", message }] });
  }
  throw e;
}

/**
 * Create a schedule. Every field is checked first (`checkScheduleInput`) and the row is one
 * insert, so a refused input creates nothing. It fires from now on: the cursor starts at
 * the creation time, so there is nothing to catch up.
 */
export async function createSchedule(
  db: Db,
  namespace: string,
  input: ScheduleInput & { createdBy?: string | null },
  opts: Options,
): Promise<Schedule> {
  const fields = await checkScheduleInput(db, namespace, input, null, opts);
  if ((await db.schedule.count({ where: { namespace } })) >= MAX_SCHEDULES) {
    throw new DomainError("BAD_INPUT", `a namespace has at most ${MAX_SCHEDULES} schedules: delete some first`);
  }
  const now = new Date();
  return db.schedule
    .create({
      data: {
        id: randomUUID(),
        namespace,
        ...fields,
        params: fields.params as Prisma.InputJsonObject,
        createdBy: input.createdBy ?? null,
        createdAt: now,
        updatedAt: now,
        ...cursorFrom(fields, now),
      },
    })
    .catch((e) => nameTaken(e, fields.name));
}

/**
 * Change some of a schedule's settings (absent fields stay). A new cron or time zone, or
 * enabling, restarts the cursor at now: fires the old settings would have made, or that
 * fell in a disabled period, are not caught up.
 */
export async function updateSchedule(
  db: Db,
  namespace: string,
  id: string,
  input: ScheduleInput,
  opts: Options,
): Promise<Schedule> {
  const before = await getSchedule(db, namespace, id);
  if (!before) throw notFound("schedule");
  const fields = await checkScheduleInput(db, namespace, input, fieldsOf(before), opts);
  const now = new Date();
  const restart =
    fields.cron !== before.cron || fields.timezone !== before.timezone || (fields.enabled && !before.enabled);
  const cursor = restart ? cursorFrom(fields, now) : fields.enabled ? {} : { nextFireAt: null };
  const { count } = await db.schedule
    .updateMany({
      where: { id, namespace },
      data: { ...fields, params: fields.params as Prisma.InputJsonObject, updatedAt: now, ...cursor },
    })
    .catch((e) => nameTaken(e, fields.name));
  if (count === 0) throw notFound("schedule");
  return (await getSchedule(db, namespace, id)) ?? Promise.reject(notFound("schedule"));
}

/**
 * Enable or disable. Disabling stops fires at once (the tick reads only enabled schedules
 * that are due); enabling fires from now on, with no burst for the disabled period. Setting
 * the state it already has changes nothing (the cursor is not reset).
 */
export async function setScheduleEnabled(db: Db, namespace: string, id: string, enabled: boolean): Promise<Schedule> {
  const s = await getSchedule(db, namespace, id);
  if (!s) throw notFound("schedule");
  if (s.enabled !== enabled) {
    const now = new Date();
    await db.schedule.updateMany({
      where: { id, namespace, enabled: !enabled },
      data: { enabled, updatedAt: now, ...(enabled ? cursorFrom({ ...s, enabled }, now) : { nextFireAt: null }) },
    });
  }
  return (await getSchedule(db, namespace, id)) ?? Promise.reject(notFound("schedule"));
}

/** Delete a schedule and its fire records; its runs stay (their schedule becomes null). */
export async function deleteSchedule(db: Db, namespace: string, id: string): Promise<string> {
  if (!UUID.test(id)) throw notFound("schedule");
  const { count } = await db.schedule.deleteMany({ where: { id, namespace } });
  if (count === 0) throw notFound("schedule");
  return id;
}

/** A schedule of `namespace`, or null — another namespace's looks exactly like a missing one. */
export async function getSchedule(db: Db, namespace: string, id: string): Promise<Schedule | null> {
  if (!UUID.test(id)) return null;
  return db.schedule.findFirst({ where: { id, namespace } });
}

/** Schedules by id (one query), restricted to `namespace`. */
export async function getSchedules(db: Db, namespace: string, ids: readonly string[]): Promise<Schedule[]> {
  const valid = ids.filter((id) => UUID.test(id));
  if (valid.length === 0) return [];
  return db.schedule.findMany({ where: { id: { in: valid }, namespace } });
}

/** The namespace's schedules by name. */
export async function listSchedules(db: Db, namespace: string): Promise<Schedule[]> {
  return db.schedule.findMany({ where: { namespace }, orderBy: { name: "asc" } });
}

/**
 * The latest `first` runs of each schedule, newest first, in two statements whatever the
 * number of schedules: the ids per schedule (LATERAL over the `(schedule_id, created_at)`
 * index), then those runs without their spec (a list never shows it).
 */
export async function recentRunsBySchedule(
  db: Db,
  scheduleIds: readonly string[],
  first: number,
): Promise<Map<string, Run[]>> {
  const out = new Map<string, Run[]>(scheduleIds.map((id) => [id, []]));
  const valid = scheduleIds.filter((id) => UUID.test(id));
  if (valid.length === 0) return out;
  const ids = await db.$queryRaw<{ id: string }[]>`
    SELECT x.id::text FROM unnest(${valid}::uuid[]) AS s(id)
    CROSS JOIN LATERAL (
      SELECT r.id FROM runs r WHERE r.schedule_id = s.id ORDER BY r.created_at DESC LIMIT ${first}
    ) x`;
  if (ids.length === 0) return out;
  const rows = await db.run.findMany({
    where: { id: { in: ids.map((r) => r.id) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    omit: { spec: true },
  });
  for (const r of rows) if (r.scheduleId) out.get(r.scheduleId)?.push(r as Run);
  return out;
}

/** The latest `first` fire records of each schedule (run or skipped, with why), newest first. */
export async function recentFiresBySchedule(
  db: Db,
  scheduleIds: readonly string[],
  first: number,
): Promise<Map<string, ScheduleFire[]>> {
  const out = new Map<string, ScheduleFire[]>(scheduleIds.map((id) => [id, []]));
  const valid = scheduleIds.filter((id) => UUID.test(id));
  if (valid.length === 0) return out;
  const rows = await db.$queryRaw<ScheduleFire[]>`
    SELECT x.schedule_id::text AS "scheduleId", x.fire_time AS "fireTime", x.run_id::text AS "runId", x.skipped,
      x.created_at AS "createdAt"
    FROM unnest(${valid}::uuid[]) AS s(id)
    CROSS JOIN LATERAL (
      SELECT f.* FROM schedule_fires f WHERE f.schedule_id = s.id ORDER BY f.fire_time DESC LIMIT ${first}
    ) x
    ORDER BY x.fire_time DESC`;
  for (const r of rows) out.get(r.scheduleId)?.push(r);
  return out;
}
