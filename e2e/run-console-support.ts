/**
 * Helpers for the run console e2e tests: a session cookie, the GraphQL API with the
 * admin bearer token, and reading what the console shows.
 */
import os from "node:os";
import { type APIRequestContext, type Browser, type BrowserContext, expect, type Page } from "@playwright/test";
import { E2E_ADMIN_TOKEN } from "../playwright.config";

export const TOKEN = E2E_ADMIN_TOKEN;

/** Signs the browser in the way /login does: the httpOnly session cookie. */
export async function signIn(context: BrowserContext, baseURL: string) {
  await context.addCookies([
    { name: "signalbox_session", value: TOKEN, url: baseURL, httpOnly: true, sameSite: "Lax" },
  ]);
}

export async function gql<T = Record<string, unknown>>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown> = {},
  baseURL?: string,
): Promise<T> {
  const res = await request.post(`${baseURL ?? ""}/api/graphql`, {
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    data: { query, variables },
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data as T;
}

export interface SubmitInput {
  pipeline?: string;
  spec?: unknown;
  params?: unknown;
  budget?: number;
  label?: string;
}

/** Submits a run and returns its id. */
export async function submitRun(request: APIRequestContext, input: SubmitInput, baseURL?: string): Promise<string> {
  const data = await gql<{ submitRun: { id: string } }>(
    request,
    "mutation Submit($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
    { input },
    baseURL,
  );
  return data.submitRun.id;
}

export async function runState(request: APIRequestContext, id: string, baseURL?: string) {
  const data = await gql<{ run: { status: string; lastSeq: number; sealed: boolean } }>(
    request,
    "query Run($id: ID!) { run(id: $id) { status lastSeq sealed } }",
    { id },
    baseURL,
  );
  return data.run;
}

export const nodeBox = (page: Page, key: string) => page.locator(`[data-testid="run-graph"] [data-node-key="${key}"]`);

export async function expectRunStatus(page: Page, status: string, timeout = 30_000) {
  await expect(page.getByTestId("run-console")).toHaveAttribute("data-status", status, { timeout });
}

/**
 * The seq of every row of the (virtualized) event list, in list order: scrolls it from
 * top to bottom and reads each rendered row's index and seq. A duplicate shows up as the
 * same seq at two indices, a gap as a missing seq.
 */
export async function listedSeqs(page: Page): Promise<number[]> {
  const list = page.getByTestId("event-list");
  return list.evaluate(async (el) => {
    const byIndex = new Map<number, number>();
    const read = () => {
      for (const row of el.querySelectorAll<HTMLElement>("[data-index]")) {
        const seq = row.querySelector<HTMLElement>("[data-seq]")?.dataset.seq;
        if (seq) byIndex.set(Number(row.dataset.index), Number(seq));
      }
    };
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    el.scrollTop = 0;
    await frame();
    for (;;) {
      read();
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
      el.scrollTop += Math.max(40, el.clientHeight - 48);
      await frame();
    }
    read();
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, seq]) => seq);
  });
}

/** 1, 2, … n */
export const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Resizes the page and lets the graph re-fit itself (a 200 ms transition). */
export async function resizeTo(page: Page, width: number, height: number) {
  await page.setViewportSize({ width, height });
  await page.waitForTimeout(500);
}

/** Saves a screenshot of the console under test-results/ (for a person to look at). */
export async function shoot(page: Page, name: string, fullPage = true) {
  await page.screenshot({ path: `test-results/run-console-${name}.png`, fullPage });
}

export interface MainThreadTasks {
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
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
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
