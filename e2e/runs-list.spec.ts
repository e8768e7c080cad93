import { expect, test } from "@playwright/test";
import { expectNotReloaded, gql, login, markPage, screenshots, submitSpec, twoSleeps } from "./shell-fixtures";

test.describe("runs list", () => {
  test("a new run appears at the top live, and its status, progress and cost change in place", async ({
    page,
    request,
  }) => {
    await login(page);
    await expect(page.getByTestId("connection-indicator")).toHaveAttribute("data-state", "live");
    await expect(page.getByTestId("connection-indicator")).toHaveAttribute("data-transport", "ws");
    await markPage(page);

    const id = await submitSpec(request, twoSleeps("live-list-check"), "appears live");
    const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
    await expect(row).toBeVisible();
    await expect(page.getByTestId("run-row").first()).toHaveAttribute("data-run-id", id);
    await expect(row).toContainText("appears live");
    await expect(row).toHaveAttribute("data-status", "RUNNING");
    await expect(row).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 20_000 });
    await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
    await expectNotReloaded(page);
    await screenshots(page, "runs-list");
  });

  test("filters by status, pipeline and search through the URL, and paginates", async ({ page, request }) => {
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) ids.push(await submitSpec(request, twoSleeps("paging-check", 10), `page item ${i}`));
    await login(page);

    await page.getByRole("searchbox", { name: /Search runs/ }).fill("page item");
    await expect(page).toHaveURL(/q=page\+item/);
    await expect(page.getByTestId("run-row")).toHaveCount(25);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(page.getByTestId("run-row")).toHaveCount(27);
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);

    await page.getByRole("button", { name: "failed" }).click();
    await expect(page).toHaveURL(/status=FAILED/);
    await expect(page.getByText("No runs match these filters")).toBeVisible();
    await page.getByRole("button", { name: "Clear" }).click();

    // Inline specs are not registered pipelines: the filter still works from a shared URL.
    await page.goto("/?pipeline=paging-check");
    await expect(page.getByRole("combobox", { name: "Pipeline" })).toHaveValue("paging-check");
    await expect(page.getByTestId("run-row")).toHaveCount(25);
    for (const text of await page.getByTestId("run-row").allInnerTexts()) expect(text).toContain("page item");
    await page.getByRole("combobox", { name: "Pipeline" }).selectOption("");
    await expect(page).toHaveURL(/\/$/);

    const data = await gql<{ runs: { nodes: { id: string }[] } }>(
      request,
      '{ runs(search: "page item", first: 1) { nodes { id } } }',
    );
    expect(data.runs.nodes[0].id).toBe(ids.at(-1));
  });

  test("a run that changes before the live connection is up is not left stale", async ({ page, request }) => {
    await login(page);
    const id = await submitSpec(request, twoSleeps("late-connection", 1500), "changed before live");
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Hold the WebSocket back until the run has finished: no runsChanged event will say so.
    await page.routeWebSocket(/\/api\/graphql/, async (ws) => {
      await released;
      ws.connectToServer();
    });
    await page.reload();
    const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
    await expect(row).toHaveAttribute("data-status", /QUEUED|RUNNING/);
    await expect
      .poll(
        async () => (await gql<{ run: { status: string } }>(request, `{ run(id: "${id}") { status } }`)).run.status,
        {
          timeout: 20_000,
        },
      )
      .toBe("SUCCEEDED");
    release();
    await expect(row).toHaveAttribute("data-status", "SUCCEEDED");
  });

  test("with WebSocket blocked the list goes live over SSE, and the indicator says so", async ({ page, request }) => {
    await page.routeWebSocket(/\/api\/graphql/, (ws) => ws.close());
    await login(page);
    const indicator = page.getByTestId("connection-indicator");
    await expect(indicator).toHaveAttribute("data-transport", "sse");
    await expect(indicator).toHaveAttribute("data-state", "live");
    await expect(indicator).toContainText("sse");
    await markPage(page);

    const id = await submitSpec(request, twoSleeps("sse-list-check", 800), "over sse");
    const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 20_000 });
    await expectNotReloaded(page);
  });
});
