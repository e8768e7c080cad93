import { type APIRequestContext, expect, type Page } from "@playwright/test";
import { E2E_ADMIN_TOKEN } from "../playwright.config";

/** Shared by the web app's e2e specs (shell, runs list, new run, pipelines, inbox). */

export const TOKEN = E2E_ADMIN_TOKEN;

/** Log the browser in the way a user does: the login link's `#token=` fragment. */
export async function login(page: Page) {
  await page.goto(`/login#token=${TOKEN}`);
  await expect(page).not.toHaveURL(/\/login/);
}

/** Call the GraphQL API as an integration would (bearer token). */
export async function gql<T = Record<string, unknown>>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await request.post("/api/graphql", {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: { query, variables },
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data as T;
}

export async function submitSpec(request: APIRequestContext, spec: string, label?: string): Promise<string> {
  const data = await gql<{ submitRun: { id: string } }>(
    request,
    "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
    { input: { spec, label } },
  );
  return data.submitRun.id;
}

/** Two sleeps in a row: a run that is visibly queued, running, then succeeded. */
export const twoSleeps = (name: string, ms = 1500) =>
  `name: ${name}\nnodes:\n  - id: first\n    kind: sleep\n    with: { ms: ${ms} }\n  - id: second\n    kind: sleep\n    needs: [first]\n    with: { ms: ${ms} }\n`;

export const VIEWPORTS = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** Screenshots of the current page at 1440×900 and 390×844 into test-results/. */
export async function screenshots(page: Page, name: string) {
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `test-results/${name}-${v.width}x${v.height}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** A marker that only survives if the page was never reloaded. */
export async function markPage(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __noReload: boolean }).__noReload = true;
  });
}
export async function expectNotReloaded(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
}
