import { expect, test } from "@playwright/test";
import { gql, login, screenshots } from "./shell-fixtures";

/** Three scoring-fanout runs with different thresholds, budget enough not to pause. */
async function threeRuns(request: Parameters<typeof gql>[0]): Promise<{ id: string; label: string }[]> {
  const runs = [];
  for (const minScore of [0.3, 0.5, 0.7]) {
    const label = `min ${minScore}`;
    const { submitRun } = await gql<{ submitRun: { id: string } }>(
      request,
      "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
      { input: { pipeline: "scoring-fanout", params: { minScore }, budget: 10, label } },
    );
    runs.push({ id: submitRun.id, label });
  }
  for (const r of runs) {
    await expect
      .poll(
        async () =>
          (
            await gql<{ run: { status: string } }>(request, "query ($id: ID!) { run(id: $id) { status } }", {
              id: r.id,
            })
          ).run.status,
        { timeout: 45_000 },
      )
      .toBe("SUCCEEDED");
  }
  return runs;
}

test("compare of three scoring-fanout runs shows one merged leaderboard", async ({ page, request }) => {
  test.setTimeout(120_000);
  const runs = await threeRuns(request);
  const rowsOf = async (id: string) =>
    (
      await gql<{ run: { results: { rows: unknown[] } } }>(
        request,
        "query ($id: ID!) { run(id: $id) { results { rows } } }",
        {
          id,
        },
      )
    ).run.results.rows.length;
  const counts = await Promise.all(runs.map((r) => rowsOf(r.id)));
  expect(counts.every((c) => c > 0)).toBe(true);

  await login(page);
  await page.goto("/?pipeline=scoring-fanout");
  for (const r of runs) {
    await page.getByRole("checkbox", { name: new RegExp(`^Select ${r.label} `) }).check();
  }
  await expect(page.getByText("3 selected")).toBeVisible();
  await page.getByRole("link", { name: "Compare 3 runs" }).click();
  await expect(page).toHaveURL(/\/pipelines\/scoring-fanout\/compare\?runs=/);
  await expect(page.getByRole("heading", { name: "Compare runs of scoring-fanout" })).toBeVisible();

  // Summary and the one param that differs.
  await expect(page.getByTestId("compare-runs").locator("tbody tr")).toHaveCount(3);
  const params = page.getByTestId("compare-params");
  await expect(params.locator("tbody tr")).toHaveCount(1);
  await expect(params).toContainText("minScore");
  await expect(params).toContainText("0.7000");

  // One leaderboard: every run's rows, the run as a column, best values marked.
  const board = page.getByTestId("compare-leaderboard");
  await expect(board.locator("tbody tr")).toHaveCount(counts.reduce((a, b) => a + b, 0));
  await expect(board.locator("thead th").first()).toHaveText(/run/);
  for (const [i, r] of runs.entries())
    await expect(board.locator(`tbody tr[data-run="${r.id}"]`)).toHaveCount(counts[i]);
  const bestScore = board.locator('td[data-column="score"][data-best]');
  await expect(bestScore).toHaveCount(3); // the top candidate passes every threshold: a tie across runs
  await expect(board.locator('td[data-column="latency_ms"][data-best]').first()).toBeVisible();
  await expect(bestScore.first()).toHaveText(/★\s*best:\s*0\.\d{4}$/);

  // Sortable: score descending puts a best cell first.
  await board.getByRole("button", { name: /^score/ }).click();
  await expect(board.locator("thead th", { hasText: "score" })).toHaveAttribute("aria-sort", "descending");
  await expect(board.locator("tbody tr").first().locator('td[data-column="score"]')).toHaveAttribute(
    "data-best",
    "true",
  );
  await board.getByRole("button", { name: /^run/ }).click();
  await expect(board.locator("tbody tr").first().locator('td[data-column="run"]')).toHaveText("min 0.3");
  await screenshots(page, "compare-runs");
});
