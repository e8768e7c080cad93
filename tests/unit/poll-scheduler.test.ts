import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  nextPollDelay,
  POLL_ACTIVE_MS,
  POLL_IDLE_FIRST_MS,
  POLL_IDLE_MAX_MS,
  type PollOutcome,
  PollScheduler,
} from "../../app/components/live/poll-scheduler";
import { pollerFor, type QueryFn } from "../../app/components/live/pollers";

/** The polling tier's pacing, against fake timers and a scripted poll. */

const ACTIVE: PollOutcome = { active: true, more: false };
const IDLE: PollOutcome = { active: false, more: false };

function buildScheduler(outcomes: (PollOutcome | Error)[]) {
  const at: number[] = [];
  const results: number[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const poll = async () => {
    at.push(Date.now());
    if (hold) await new Promise<void>((r) => (release = r));
    const next = outcomes.length > 1 ? outcomes.shift()! : outcomes[0];
    if (next instanceof Error) throw next;
    return next;
  };
  const scheduler = new PollScheduler(poll, (f) => results.push(f));
  return {
    scheduler,
    at,
    results,
    gaps: () => at.slice(1).map((t, i) => t - at[i]),
    holdNext: () => {
      hold = true;
    },
    releaseHeld: () => {
      hold = false;
      release?.();
    },
  };
}

describe("nextPollDelay", () => {
  it("is fast while something moves, at once when more is waiting, and backs off to the idle cap", () => {
    expect(nextPollDelay(ACTIVE, 0)).toBe(POLL_ACTIVE_MS);
    expect(nextPollDelay({ active: true, more: true }, 0)).toBe(0);
    const idle = [1, 2, 3, 4, 5, 6].map((streak) => nextPollDelay(IDLE, streak));
    expect(idle).toEqual([2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(idle[0]).toBe(POLL_IDLE_FIRST_MS);
    expect(Math.max(...idle)).toBe(POLL_IDLE_MAX_MS);
  });
});

describe("PollScheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it("polls every second while active, then slows down when idle, and fast again when activity resumes", async () => {
    const s = buildScheduler([ACTIVE, ACTIVE, IDLE, IDLE, IDLE, ACTIVE, ACTIVE]);
    s.scheduler.start();
    await vi.advanceTimersByTimeAsync(40_000);
    s.scheduler.stop();
    expect(s.gaps().slice(0, 6)).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 1_000]);
  });

  it("polls at once after a nudge (an action), and resets the idle back-off", async () => {
    const s = buildScheduler([IDLE]);
    s.scheduler.start();
    await vi.advanceTimersByTimeAsync(6_500); // polls at 0, 2 s, 6 s; next one due at 14 s
    expect(s.at).toEqual([0, 2_000, 6_000]);
    s.scheduler.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.at.at(-1)).toBe(6_500);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(s.at.at(-1)).toBe(8_500); // the idle streak started over
    s.scheduler.stop();
  });

  it("never runs two polls at once: a nudge during a poll polls once more right after it", async () => {
    const s = buildScheduler([IDLE]);
    s.holdNext();
    s.scheduler.start();
    s.scheduler.nudge();
    s.scheduler.nudge();
    expect(s.at).toEqual([0]);
    await vi.advanceTimersByTimeAsync(100);
    s.releaseHeld();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.at).toEqual([0, 100]);
    s.scheduler.stop();
  });

  it("backs off after failures like a reconnect, reports them, and stops when told", async () => {
    const s = buildScheduler([new Error("down"), new Error("down"), ACTIVE]);
    s.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.results.slice(0, 3)).toEqual([1, 2, 0]);
    const [first, second] = s.gaps();
    expect(first).toBeGreaterThanOrEqual(800); // 1 s ± 20 %
    expect(first).toBeLessThanOrEqual(1_200);
    expect(second).toBeGreaterThanOrEqual(1_600); // 2 s ± 20 %
    expect(second).toBeLessThanOrEqual(2_400);
    s.scheduler.stop();
    const polls = s.at.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.at.length).toBe(polls);
  });
});

describe("pollerFor", () => {
  const RUN = "00000000-0000-4000-8000-000000000001";
  const event = (seq: number, last = false) => ({
    __typename: last ? "RunCompletedEvent" : "LogEvent",
    seq,
    type: last ? "RUN_COMPLETED" : "LOG",
  });

  it("reads runEvents from the subscriber's cursor and continues from what it delivered", async () => {
    const asked: number[] = [];
    const log = [1, 2, 3, 4].map((seq) => event(seq, seq === 4));
    const query = (async (_doc: unknown, vars: { afterSeq: number; first: number }) => {
      asked.push(vars.afterSeq);
      const events = log.filter((e) => e.seq > vars.afterSeq).slice(0, 2);
      return {
        data: { events: { events, hasMore: events.length === 2 }, run: { id: RUN, status: "RUNNING" } },
      };
    }) as unknown as QueryFn;
    let cursor = 1; // the subscriber already holds seq 1
    const poll = pollerFor(
      () => ({
        query: "subscription RunEvents($runId: ID!) { runEvents(runId: $runId) { seq } }",
        variables: { runId: RUN, afterSeq: cursor },
      }),
      query,
    )!;
    const first = await poll();
    expect(first.results.map((r) => (r.data as { runEvents: { seq: number } }).runEvents.seq)).toEqual([2, 3]);
    expect(first).toMatchObject({ more: true, active: true, done: false });
    cursor = 2; // the subscriber applied only seq 2 so far: the poller keeps its own, later, cursor
    const second = await poll();
    expect(second.results.map((r) => (r.data as { runEvents: { seq: number } }).runEvents.seq)).toEqual([4]);
    expect(second.done).toBe(true);
    expect(asked).toEqual([1, 3]);
  });

  it("stands in for runsChangedSince with the runs that are new or changed since the last poll", async () => {
    let runs = [
      { __typename: "Run", id: "b", status: "RUNNING", progress: 0.5 },
      { __typename: "Run", id: "a", status: "SUCCEEDED", progress: 1 },
    ];
    const query = (async () => ({ data: { runs: { nodes: runs } } })) as unknown as QueryFn;
    const poll = pollerFor(
      () => ({ query: "subscription RunsChanged($since: DateTime!) { runsChangedSince(since: $since) { id } }" }),
      query,
    )!;
    const ids = async () =>
      (await poll()).results.map((r) => (r.data as { runsChangedSince: { id: string } }).runsChangedSince.id);
    expect(await ids()).toEqual(["a", "b"]); // oldest first: list inserts keep the newest on top
    expect(await ids()).toEqual([]);
    runs = [{ __typename: "Run", id: "c", status: "QUEUED", progress: 0 }, { ...runs[0], progress: 0.75 }, runs[1]];
    expect(await ids()).toEqual(["b", "c"]);
  });

  it("has no poller for a subscription it cannot stand in for", () => {
    expect(
      pollerFor(() => ({ query: "subscription { somethingElse { id } }" }), (async () => ({})) as unknown as QueryFn),
    ).toBeNull();
  });
});
