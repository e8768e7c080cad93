import type { Db } from "../db/client";
import { metrics } from "../metrics";
import { fireSchedule } from "./fire";

export interface SchedulerOptions {
  /** Whether `command` nodes may run in a namespace (server switch and the namespace's). */
  allowCommands: (namespace: string) => Promise<boolean>;
  log?: (level: "info" | "warn", msg: string, err?: unknown) => void;
  /** Stop after this many due schedules a tick (the rest wait for the next one). */
  batch?: number;
}

/** Wait after each second's start before ticking: fires are whole seconds, and clocks differ by a little. */
const TICK_OFFSET_MS = 20;

/**
 * Fires schedules. One runs in every server and worker process against the same database;
 * nothing is held only here. Once a second (just after the second starts, so a
 * `*\/2 * * * * *` fire runs within milliseconds of its time) one indexed query reads the
 * schedules whose `next_fire_at` has come (`(enabled, next_fire_at)` index: an idle tick
 * reads no row), and each is handled by `fireSchedule`, which skips a schedule another
 * process is handling and is exactly-once per fire time by its run's idempotency key.
 * No per-schedule timers: a new, changed or disabled schedule is seen at the next tick.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = true;
  /** A failing tick is logged once, until one succeeds again (not every second of an outage). */
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly opts: SchedulerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule() {
    if (this.stopped) return;
    const wait = 1000 - (Date.now() % 1000) + TICK_OFFSET_MS;
    this.timer = setTimeout(() => {
      this.current = this.tick().finally(() => {
        this.current = null;
        this.schedule();
      });
    }, wait);
    this.timer.unref();
  }

  /** One pass: handle every due schedule (up to `batch`). Safe to call at any time. */
  async tick(now = new Date()): Promise<void> {
    try {
      const due = await this.db.schedule.findMany({
        where: { enabled: true, nextFireAt: { lte: now } },
        select: { id: true },
        orderBy: { nextFireAt: "asc" },
        take: this.opts.batch ?? 50,
      });
      let failed = false;
      for (const { id } of due) {
        if (this.stopped) break;
        const outcomes = await fireSchedule(this.db, id, now, this.opts).catch((e) => {
          failed = true;
          this.failed(`schedule ${id} could not fire; it is retried every second`, e);
          return null;
        });
        for (const o of outcomes ?? []) metrics.scheduleFires.inc({ outcome: o.runId ? "run" : "skipped" });
      }
      if (!failed) this.recovered();
    } catch (e) {
      this.failed("schedules: could not read the due schedules; retrying every second", e);
    }
  }

  private failed(msg: string, err: unknown) {
    if (!this.failing) this.opts.log?.("warn", msg, err);
    this.failing = true;
  }

  private recovered() {
    if (this.failing) this.opts.log?.("info", "schedules: ticking again");
    this.failing = false;
  }

  /** No new tick; waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }
}
