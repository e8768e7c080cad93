/**
 * Main-thread cost of a page, from a Chromium trace (CDP tracing through Playwright):
 * the page's renderer main thread, its tasks by wall time and by CPU time, and what the
 * longest task spent its CPU on. Used by `bench:browser` (SPEC §9), never asserted as a
 * timed test.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";

interface MainThreadTasks {
  /** Tasks on the page's main thread longer than 50 ms of wall time (what a PerformanceObserver reports). */
  overWall: number;
  maxWallMs: number;
  /** Tasks that kept the main thread busy (on-CPU) for more than 50 ms. */
  overCpu: number;
  maxCpuMs: number;
  /** What the longest task (by CPU) spent its time on: the top trace events inside it, by CPU ms. */
  longest: string;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { functionName?: string; url?: string } };
}

/**
 * Records a Chromium trace while `during` runs and measures the page's main-thread tasks
 * by wall time and by CPU time. On an oversubscribed machine a short task can take
 * 100 ms of wall time because the OS scheduled something else: CPU time tells the page's
 * own cost apart from that.
 */
export async function measureMainThread(browser: Browser, page: Page, during: () => Promise<void>) {
  await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
  await during();
  const raw = await browser.stopTracing();
  // BENCH_TRACE_DIR=dir keeps each trace (open it in Chrome DevTools' Performance panel).
  if (process.env.BENCH_TRACE_DIR)
    fs.writeFileSync(path.join(process.env.BENCH_TRACE_DIR, `trace-${Date.now()}.json`), raw);
  const trace = JSON.parse(raw.toString()) as { traceEvents: TraceEvent[] };
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    if (e.ph !== "X") continue;
    const key = `${e.pid}:${e.tid}`;
    const list = byThread.get(key) ?? [];
    list.push(e);
    byThread.set(key, list);
  }
  const mains = new Set(
    trace.traceEvents
      .filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`),
  );
  // The page's renderer main thread: the busiest CrRendererMain.
  const events =
    [...byThread.entries()]
      .filter(([k]) => mains.has(k))
      .map(([, list]) => list)
      .sort((a, b) => b.filter((e) => e.name === "RunTask").length - a.filter((e) => e.name === "RunTask").length)[0] ??
    [];
  const tasks = events.filter((e) => e.name === "RunTask");
  const ms = (us: number) => Math.round(us / 1000);
  const top = tasks.reduce<TraceEvent | null>((a, t) => ((t.tdur ?? 0) > (a?.tdur ?? -1) ? t : a), null);
  return {
    overWall: tasks.filter((t) => (t.dur ?? 0) > 50_000).length,
    maxWallMs: ms(Math.max(0, ...tasks.map((t) => t.dur ?? 0))),
    overCpu: tasks.filter((t) => (t.tdur ?? 0) > 50_000).length,
    maxCpuMs: ms(Math.max(0, ...tasks.map((t) => t.tdur ?? 0))),
    longest: top ? breakdown(top, events) : "",
  } satisfies MainThreadTasks;
}

/** The events directly inside `task` (one level down), summed by name, largest CPU first. */
function breakdown(task: TraceEvent, events: TraceEvent[]): string {
  const end = task.ts + (task.dur ?? 0);
  const inside = events.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end);
  // Only the outermost: an event not contained in another event inside the task.
  const outer = inside.filter(
    (e) =>
      !inside.some(
        (o) => o !== e && o.ts <= e.ts && o.ts + (o.dur ?? 0) >= e.ts + (e.dur ?? 0) && (o.dur ?? 0) > (e.dur ?? 0),
      ),
  );
  const sums = new Map<string, number>();
  for (const e of outer) {
    const fn = e.args?.data?.functionName;
    const name = fn ? `${e.name}(${fn})` : e.name;
    sums.set(name, (sums.get(name) ?? 0) + (e.tdur ?? 0));
  }
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([n, us]) => `${n} ${(us / 1000).toFixed(1)}`)
    .join(", ");
}

/** Runnable threads per core right now (1-minute load average): above ~1 the OS preempts the browser. */
export function machineLoad(): number {
  return os.loadavg()[0] / os.cpus().length;
}
