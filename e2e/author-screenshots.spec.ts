import { type APIRequestContext, type Browser, expect, test } from "@playwright/test";
import { THEME_KEY } from "../app/components/shell/theme-script";
import { gql, login, submitSpec, VIEWPORTS } from "./shell-fixtures";

/**
 * Pictures of the compare page, the spec editor, a gate table and the run graph at
 * 1440×900 and 390×844, light and dark (`SCREENSHOTS=1 playwright test e2e/author-screenshots.spec.ts`).
 */

const GATE = `name: candidate-review
nodes:
  - id: fetch-candidates
    kind: transform
    with:
      expression: '[{"model": "atlas-1", "score": 0.91, "latency_ms": 120}, {"model": "borealis-2", "score": 0.5, "latency_ms": 80}]'
  - id: candidates
    kind: transform
    needs: [fetch-candidates]
    with: { expression: "inputs.\`fetch-candidates\`" }
  - id: review-candidates
    kind: gate
    needs: [candidates]
    with: { title: "Ship these candidates?", show: "inputs.candidates" }
`;

async function status(request: APIRequestContext, id: string) {
  return (await gql<{ run: { status: string } }>(request, "query ($id: ID!) { run(id: $id) { status } }", { id })).run
    .status;
}

async function shoot(
  browser: Browser,
  scheme: "light" | "dark",
  name: string,
  path: string,
  act?: (p: import("@playwright/test").Page) => Promise<void>,
) {
  for (const v of VIEWPORTS) {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: v.width, height: v.height } });
    await context.addInitScript(([k, val]) => localStorage.setItem(k, val), [THEME_KEY, scheme] as const);
    const page = await context.newPage();
    await login(page);
    await page.goto(path);
    await page.waitForTimeout(800);
    if (name === "run-graph" && v.width > 640) await page.locator(".react-flow__node").first().waitFor();
    await act?.(page);
    await page.waitForTimeout(1200);
    await page.waitForTimeout(400);
    await page.screenshot({
      path: `test-results/author-${name}-${scheme}-${v.width}x${v.height}.png`,
      fullPage: name === "compare",
    });
    await context.close();
  }
}

test("author screenshots", async ({ browser, request }) => {
  test.setTimeout(240_000);
  const ids: string[] = [];
  for (const minScore of [0.3, 0.5, 0.7]) {
    const { submitRun } = await gql<{ submitRun: { id: string } }>(
      request,
      "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
      { input: { pipeline: "scoring-fanout", params: { minScore }, budget: 10, label: `min ${minScore}` } },
    );
    ids.push(submitRun.id);
  }
  const gated = await submitSpec(request, GATE, "review");
  for (const id of ids) await expect.poll(() => status(request, id), { timeout: 45_000 }).toBe("SUCCEEDED");
  await expect.poll(() => status(request, gated), { timeout: 30_000 }).toBe("RUNNING");
  for (const scheme of ["light", "dark"] as const) {
    await shoot(browser, scheme, "compare", `/pipelines/scoring-fanout/compare?runs=${ids.join(",")}`);
    await shoot(browser, scheme, "run-graph", `/runs/${ids[0]}`);
    await shoot(browser, scheme, "gate-table", `/runs/${gated}`, async (page) => {
      await page.locator('[data-node-key="review-candidates"]').first().click();
    });
    await shoot(browser, scheme, "spec-editor", "/runs/new?edit=scoring-fanout");
    await shoot(browser, scheme, "runs-select", "/?pipeline=scoring-fanout", async (page) => {
      for (const c of (await page.getByRole("checkbox").all()).slice(0, 3)) await c.check();
    });
  }
});
