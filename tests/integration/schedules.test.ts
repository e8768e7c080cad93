/**
 * Schedules against real server processes on one database (SPEC §11): two servers (and
 * this process's own scheduler) tick the same `*\/2 * * * * *` schedule for ~20 s and
 * start exactly one run per fire time; overlap SKIP / CANCEL_PREVIOUS with slow
 * pipelines; disable and enable; catch-up after downtime; a pipeline gone at fire time;
 * typed refusals. The long-running schedules are created first and checked last, so
 * the other tests run inside their 20 s window.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { commandsAllowed } from "../../lib/namespaces/settings";
import { createPipelineVersion } from "../../lib/pipelines/pipelines";
import { Scheduler } from "../../lib/schedules/scheduler";
import type { PipelineSpec } from "../../lib/spec/types";
import { gql, gqlData, makeTokens, type ServerProc, serveForTests, startServer, type Tokens } from "./graphql-harness";

let server: ServerProc;
let second: ServerProc;
let db: Db;
let t: Tokens;
let local: Scheduler;
/** When the 20 s schedules started. */
let t0 = 0;
const ids: Record<string, string> = {};

const WINDOW_MS = 20_000;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateScheduleInput!) {
    createSchedule(input: $input) { id name pipeline version cron timezone params budget overlap enabled catchUp nextFireTimes(count: 3) }
  }`;
const SET_ENABLED = /* GraphQL */ `
  mutation Enable($id: ID!, $enabled: Boolean!) { setScheduleEnabled(id: $id, enabled: $enabled) { id enabled nextFireTimes } }`;

const spec = (nodes: PipelineSpec["nodes"]) => ({ name: "x", params: {}, nodes }) as unknown as PipelineSpec;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function create(input: Record<string, unknown>, token = t.operator) {
  return (await gqlData(server, token, CREATE, { input })).createSchedule;
}

/** Runs of a schedule, oldest first, with the fire time from their idempotency key. */
async function runsOf(scheduleId: string) {
  const runs = await db.run.findMany({
    where: { scheduleId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      status: true,
      error: true,
      trigger: true,
      idempotencyKey: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
    },
  });
  return runs.map((r) => ({ ...r, fireTime: r.idempotencyKey?.split(":").slice(2).join(":") ?? "" }));
}
const firesOf = (scheduleId: string) =>
  db.scheduleFire.findMany({ where: { scheduleId }, orderBy: { fireTime: "asc" } });

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(200);
  }
}

serveForTests({}, async (h) => {
  ({ server, db, t } = h);
  second = await startServer();
  const register = (name: string, nodes: PipelineSpec["nodes"]) =>
    createPipelineVersion(db, { namespace: t.namespace, name, spec: spec(nodes) });
  await register("quick", [{ id: "a", kind: "transform", with: { expression: "$$.params" } }] as never);
  await register("slow", [{ id: "a", kind: "sleep", with: { ms: 5_000 } }] as never);
  await register("slower", [{ id: "a", kind: "sleep", with: { ms: 20_000 } }] as never);
  await register("doomed", [{ id: "a", kind: "transform", with: { expression: "1" } }] as never);
  // A third scheduler, in this process, on the same database.
  local = new Scheduler(db, { allowCommands: (ns) => commandsAllowed(db, false, ns) });
  local.start();
  t0 = Date.now();
  ids.every2 = (
    await create({ name: "every 2 s", pipeline: "quick", cron: "*/2 * * * * *", overlap: "QUEUE", params: { n: 1 } })
  ).id;
  ids.skip = (await create({ name: "slow skip", pipeline: "slow", cron: "*/2 * * * * *", overlap: "SKIP" })).id;
  ids.cancel = (
    await create({ name: "slower cancel", pipeline: "slower", cron: "*/3 * * * * *", overlap: "CANCEL_PREVIOUS" })
  ).id;
  ids.doomed = (await create({ name: "doomed", pipeline: "doomed", cron: "* * * * * *", overlap: "QUEUE" })).id;
});

afterAll(async () => {
  await local?.stop();
  await db?.schedule.updateMany({ where: { namespace: t?.namespace }, data: { enabled: false, nextFireAt: null } });
  await second?.stop();
});

describe("managing schedules", () => {
  it("createSchedule returns the schedule with its next fire times; schedules and schedule(id) read it", async () => {
    const s = await create({
      name: "nightly",
      pipeline: "quick",
      version: 1,
      cron: "30 2 * * *",
      timezone: "europe/berlin",
      params: { region: "eu" },
      budget: 2.5,
      enabled: false,
    });
    expect(s).toMatchObject({
      name: "nightly",
      pipeline: "quick",
      version: 1,
      cron: "30 2 * * *",
      timezone: "Europe/Berlin",
      params: { region: "eu" },
      budget: 2.5,
      overlap: "SKIP",
      enabled: false,
      catchUp: 1,
      nextFireTimes: [],
    });
    const { setScheduleEnabled: on } = await gqlData(server, t.operator, SET_ENABLED, { id: s.id, enabled: true });
    expect(on.nextFireTimes).toHaveLength(5);
    // 02:30 in Berlin is 00:30 or 01:30 UTC (or 01:00 UTC the day the clocks go forward).
    for (const iso of on.nextFireTimes) expect(iso).toMatch(/T0(0:30|1:30|1:00):00\.000Z$/);
    const { schedules } = await gqlData(server, t.viewer, `{ schedules { id name } }`);
    expect(schedules.map((x: { name: string }) => x.name)).toContain("nightly");
    const { schedule } = await gqlData(server, t.viewer, `query($id: ID!) { schedule(id: $id) { id createdBy } }`, {
      id: s.id,
    });
    expect(schedule).toEqual({ id: s.id, createdBy: "operator-test" });

    const { updateSchedule } = await gqlData(
      server,
      t.operator,
      `mutation($id: ID!, $input: UpdateScheduleInput!) { updateSchedule(id: $id, input: $input) { cron timezone version budget params } }`,
      { id: s.id, input: { cron: "0 6 * * MON-FRI", version: null, budget: null } },
    );
    expect(updateSchedule).toEqual({
      cron: "0 6 * * MON-FRI",
      timezone: "Europe/Berlin",
      version: null,
      budget: null,
      params: { region: "eu" },
    });

    const del = await gqlData(server, t.operator, `mutation($id: ID!) { deleteSchedule(id: $id) }`, { id: s.id });
    expect(del.deleteSchedule).toBe(s.id);
    expect(await db.schedule.count({ where: { id: s.id } })).toBe(0);
  });

  it("bad input is a typed error at its field, and creates nothing", async () => {
    const before = await db.schedule.count({ where: { namespace: t.namespace } });
    const base = { name: "bad", pipeline: "quick", cron: "0 3 * * *" };
    const cases: [Record<string, unknown>, string, string, RegExp][] = [
      [{ cron: "61 * * * *" }, "BAD_INPUT", "cron", /minute: 61/],
      [{ cron: "* * *" }, "BAD_INPUT", "cron", /3 fields/],
      [{ timezone: "Mars/Olympus" }, "BAD_INPUT", "timezone", /unknown time zone "Mars\/Olympus"/],
      [{ pipeline: "ghost" }, "NOT_FOUND", "pipeline", /no pipeline named ghost/],
      [{ version: 7 }, "NOT_FOUND", "version", /has no version 7/],
      [{ params: [1, 2] }, "BAD_INPUT", "params", /JSON object/],
      [{ catchUp: -1 }, "BAD_INPUT", "catchUp", /0 to 100/],
      [{ budget: -3 }, "BAD_INPUT", "budget", /≥ 0/],
      [{ name: "every 2 s" }, "CONFLICT", "name", /already exists/],
    ];
    for (const [patch, code, field, message] of cases) {
      const r = await gql(server, t.operator, CREATE, { input: { ...base, ...patch } });
      expect(r.status, JSON.stringify(patch)).toBe(200);
      expect(r.errors?.[0]?.extensions, JSON.stringify(patch)).toMatchObject({ code, field });
      expect(r.errors?.[0]?.message).toMatch(message);
    }
    // Every problem at once, each at its field.
    const r = await gql(server, t.operator, CREATE, {
      input: { ...base, cron: "nope", timezone: "Nowhere/City", params: "x" },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_INPUT");
    const problems = (r.errors?.[0]?.extensions?.problems ?? []) as { path: string }[];
    expect(problems.map((p) => p.path)).toEqual(["timezone", "cron", "params"]);
    // An unknown enum value is GraphQL's own validation error (400), not a 500.
    const bad = await gql(server, t.operator, CREATE, { input: { ...base, overlap: "SOMETIMES" } });
    expect(bad.status).toBe(400);
    expect(await db.schedule.count({ where: { namespace: t.namespace } })).toBe(before);
  });

  it("viewers read but cannot manage; another namespace's schedule is NOT_FOUND", async () => {
    const r = await gql(server, t.viewer, CREATE, { input: { name: "v", pipeline: "quick", cron: "0 3 * * *" } });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const off = await gql(server, t.viewer, SET_ENABLED, { id: ids.every2, enabled: false });
    expect(off.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const other = await makeTokens(db);
    const theirs = await gqlData(server, other.viewer, `query($id: ID!) { schedule(id: $id) { id } }`, {
      id: ids.every2,
    });
    expect(theirs.schedule).toBeNull();
    expect((await gqlData(server, other.viewer, `{ schedules { id } }`)).schedules).toEqual([]);
    for (const [query, vars] of [
      [SET_ENABLED, { id: ids.every2, enabled: false }],
      [`mutation($id: ID!) { deleteSchedule(id: $id) }`, { id: ids.every2 }],
      [`mutation($id: ID!) { updateSchedule(id: $id, input: { cron: "* * * * *" }) { id } }`, { id: ids.every2 }],
      [`mutation($id: ID!) { deleteSchedule(id: $id) }`, { id: "not-a-uuid" }],
    ] as const) {
      const res = await gql(server, other.operator, query, vars);
      expect(res.errors?.[0]?.extensions?.code, query).toBe("NOT_FOUND");
    }
    // Nor can another namespace's operator schedule this one's pipelines.
    const res = await gql(server, other.operator, CREATE, {
      input: { name: "x", pipeline: "quick", cron: "0 3 * * *" },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "pipeline" });
    expect((await db.schedule.findUniqueOrThrow({ where: { id: ids.every2 } })).enabled).toBe(true);
  });

  it("catch-up after downtime: the latest catchUp missed fires run, the others are recorded as skipped", async () => {
    const s = await create({
      name: "catch up",
      pipeline: "quick",
      cron: "0 * * * * *",
      catchUp: 2,
      overlap: "QUEUE", // with SKIP the second catch-up fire would find the first unfinished
      enabled: false,
    });
    // Not within 10 s of a minute's end: a new minute's fire during the check would be a 31st.
    if (Date.now() % 60_000 > 50_000) await sleep(61_000 - (Date.now() % 60_000));
    // Down for 30 minutes: the cursor is where the last process left it.
    const now = Date.now();
    const since = new Date(Math.floor(now / 60_000) * 60_000 - 30 * 60_000 + 1_000);
    await db.schedule.update({
      where: { id: s.id },
      data: { enabled: true, firedUntil: since, nextFireAt: new Date(since.getTime() + 59_000) },
    });
    const fires = await until(
      "the missed fires",
      () => firesOf(s.id),
      (f) => f.length >= 30,
    );
    const missed = fires.filter((f) => f.fireTime.getTime() <= now);
    expect(missed).toHaveLength(30);
    expect(missed.slice(0, 28).every((f) => f.skipped === "missed while down" && f.runId === null)).toBe(true);
    expect(missed.slice(28).every((f) => f.skipped === null && f.runId)).toBe(true);
    const runs = await runsOf(s.id);
    expect(runs.map((r) => r.fireTime).slice(0, 2)).toEqual(missed.slice(28).map((f) => f.fireTime.toISOString()));
    expect(runs.every((r) => r.trigger === "SCHEDULE")).toBe(true);
  });

  it("a pipeline gone at fire time: the fire is skipped saying why, and the schedule keeps going", async () => {
    await until(
      "a run of doomed",
      () => runsOf(ids.doomed),
      (r) => r.length >= 1,
    );
    await db.pipeline.deleteMany({ where: { namespace: t.namespace, name: "doomed" } });
    const gone = Date.now();
    const skipped = await until(
      "skipped fires",
      () => firesOf(ids.doomed),
      (f) => f.filter((x) => x.skipped?.includes("not found")).length >= 2,
    );
    expect(skipped.find((x) => x.skipped?.includes("not found"))?.skipped).toBe("pipeline doomed not found");
    await createPipelineVersion(db, {
      namespace: t.namespace,
      name: "doomed",
      spec: spec([{ id: "a", kind: "transform", with: { expression: "2" } }] as never),
    });
    const back = Date.now();
    await until(
      "runs again",
      () => runsOf(ids.doomed),
      (r) => r.some((x) => x.createdAt.getTime() > back),
    );
    // A tick that read the pipeline just before it went may still start a run; none after that.
    const during = (await runsOf(ids.doomed)).filter(
      (r) => r.createdAt.getTime() > gone + 1_500 && r.createdAt.getTime() < back - 1_500,
    );
    expect(during).toEqual([]);
    await gqlData(server, t.operator, SET_ENABLED, { id: ids.doomed, enabled: false });
  });
});

describe("firing on two server processes for 20 s", () => {
  it("waits out the window", async () => {
    await sleep(Math.max(0, t0 + WINDOW_MS - Date.now()));
    await local.stop();
  }, 40_000);

  it("every 2 s: exactly one run per fire time, on consecutive 2 s ticks", async () => {
    const runs = await runsOf(ids.every2);
    const times = runs.map((r) => r.fireTime);
    expect(new Set(times).size).toBe(times.length);
    expect(runs.length).toBeGreaterThanOrEqual(8);
    const ms = times.map((x) => Date.parse(x)).sort((a, b) => a - b);
    for (let i = 1; i < ms.length; i++) expect(ms[i] - ms[i - 1]).toBe(2_000);
    for (const x of ms) expect(new Date(x).getUTCSeconds() % 2).toBe(0);
    expect(runs.every((r) => r.trigger === "SCHEDULE")).toBe(true);
    // Each fire is recorded once, with its run.
    const fires = await firesOf(ids.every2);
    expect(fires.map((f) => f.fireTime.toISOString())).toEqual(expect.arrayContaining(times));
    expect(fires.every((f) => f.skipped === null && f.runId)).toBe(true);
  });

  it("SKIP with a 5 s pipeline every 2 s: skips recorded as overlap, never two runs at once", async () => {
    const runs = await runsOf(ids.skip);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < runs.length; i++) {
      const prev = runs[i - 1];
      expect(prev.finishedAt, "the previous run had finished").not.toBeNull();
      expect(runs[i].createdAt.getTime()).toBeGreaterThanOrEqual(prev.finishedAt!.getTime());
    }
    const fires = await firesOf(ids.skip);
    expect(fires.filter((f) => f.skipped === "overlap").length).toBeGreaterThanOrEqual(4);
  });

  it("CANCEL_PREVIOUS: each fire cancels the unfinished run before it", async () => {
    const runs = await runsOf(ids.cancel);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const earlier = runs.slice(0, -1);
    for (const r of earlier) {
      expect(r.status).toBe("CANCELLED");
      expect(r.error).toMatch(/^cancelled by schedule slower cancel: the fire at .* replaced it$/);
    }
    expect(runs.filter((r) => ["QUEUED", "RUNNING", "PAUSED"].includes(r.status)).length).toBeLessThanOrEqual(1);
  });

  it("disabling stops fires; enabling fires from then on, without a burst for the disabled period", async () => {
    await gqlData(server, t.operator, SET_ENABLED, { id: ids.every2, enabled: false });
    const offAt = Date.now();
    const count = (await runsOf(ids.every2)).length;
    await sleep(4_500);
    expect((await runsOf(ids.every2)).length).toBe(count);
    const { setScheduleEnabled } = await gqlData(server, t.operator, SET_ENABLED, { id: ids.every2, enabled: true });
    const onAt = Date.now();
    expect(Date.parse(setScheduleEnabled.nextFireTimes[0])).toBeGreaterThan(onAt - 1_000);
    await until(
      "a run after enabling",
      () => runsOf(ids.every2),
      (r) => r.length > count,
    );
    const after = (await runsOf(ids.every2)).slice(count);
    for (const r of after) expect(Date.parse(r.fireTime)).toBeGreaterThan(onAt - 1_000);
    const firesWhileOff = (await firesOf(ids.every2)).filter(
      (f) => f.fireTime.getTime() > offAt && f.fireTime.getTime() < onAt - 1_000,
    );
    expect(firesWhileOff).toEqual([]);
  });

  it("Run.schedule and Schedule.lastRun / runs / fires over GraphQL", async () => {
    const runs = await runsOf(ids.every2);
    const last = runs.at(-1)!;
    const { run } = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { id schedule { id name } } }`, {
      id: last.id,
    });
    expect(run.schedule).toEqual({ id: ids.every2, name: "every 2 s" });
    const { schedules } = await gqlData(
      server,
      t.viewer,
      `{ schedules { id lastRun { id } runs(first: 3) { id } fires(first: 3) { fireTime skipped run { id } } } }`,
    );
    const s = schedules.find((x: { id: string }) => x.id === ids.skip);
    expect(s.runs).toHaveLength(3);
    expect(s.lastRun.id).toBe(s.runs[0].id);
    expect(s.fires).toHaveLength(3);
    const every2 = schedules.find((x: { id: string }) => x.id === ids.every2);
    expect(every2.fires[0].run).not.toBeNull();
  });
});
