import { expect, test } from "@playwright/test";
import { gql, login, screenshots, submitSpec, twoSleeps } from "./shell-fixtures";

/**
 * A realistic namespace (runs in every state) for the README screenshots: the runs list,
 * and run consoles mid-run. Saved to test-results/readme-*.png.
 */
test("README screenshots: runs list and a run console mid-run", async ({ page, request }) => {
  test.setTimeout(120_000);
  const submit = async (pipeline: string, label: string) =>
    (
      await gql<{ submitRun: { id: string } }>(
        request,
        "mutation ($p: String, $l: String) { submitRun(input: { pipeline: $p, label: $l }) { id } }",
        { p: pipeline, l: label },
      )
    ).submitRun.id;

  await submitSpec(request, twoSleeps("warehouse-sync", 200), "warehouse sync · us-east");
  await submitSpec(request, twoSleeps("embeddings-refresh", 350), "embeddings refresh");
  await submitSpec(request, twoSleeps("warehouse-sync", 250), "warehouse sync · eu-west");
  await submitSpec(
    request,
    'name: invoice-export\nnodes:\n  - id: load\n    kind: sleep\n    with: { ms: 300 }\n  - id: upload\n    kind: http\n    needs: [load]\n    with: { url: "http://127.0.0.1:9/invoices", timeoutMs: 2000 }\n',
    "invoice export",
  );
  const cancelled = await submitSpec(request, twoSleeps("reindex", 30_000), "search reindex");
  await gql(request, "mutation ($id: ID!) { cancelRun(id: $id) { id } }", { id: cancelled });
  const fanout = await submit("scoring-fanout", "model scores · batch 7");
  const nightly = await submit("nightly-report", "nightly report 2026-11-21");
  await submit("hello-gate", "greeting for the ops team");
  await submitSpec(request, twoSleeps("feature-backfill", 40_000), "feature backfill");

  await login(page);
  await expect(page.locator(`[data-testid="run-row"][data-run-id="${fanout}"]`)).toHaveAttribute(
    "data-status",
    "PAUSED",
    { timeout: 30_000 },
  );
  await page.waitForTimeout(1500);
  await page.screenshot({ path: "test-results/readme-runs-list.png" });
  await screenshots(page, "readme-runs-list-viewports");

  await page.goto(`/runs/${fanout}`);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: "test-results/readme-run-console-budget.png" });

  await page.goto(`/runs/${nightly}`);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: "test-results/readme-run-console-gate.png" });
});
