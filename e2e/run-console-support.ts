/**
 * Helpers for the run console e2e tests: a session cookie, the GraphQL API with the
 * admin bearer token, and reading what the console shows.
 */
import { type APIRequestContext, type BrowserContext, expect, type Page } from "@playwright/test";
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
