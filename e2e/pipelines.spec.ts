import { expect, test } from "@playwright/test";
import { gql, login, screenshots } from "./shell-fixtures";

test.describe("pipelines", () => {
  test("lists registered pipelines with latest version, checksum and versions count", async ({ page, request }) => {
    await login(page);
    await page.goto("/pipelines");
    const { pipeline } = await gql<{ pipeline: { checksum: string } }>(
      request,
      '{ pipeline(name: "hello-gate") { checksum } }',
    );
    const row = page.getByTestId("pipeline-row").filter({ hasText: "hello-gate" });
    await expect(row).toContainText("v1");
    await expect(row).toContainText(pipeline.checksum.slice(0, 12));
    await expect(row).toContainText("1 version");
    await screenshots(page, "pipelines");
  });

  test("a version page shows its checksum and spec, and runs it with params and budget", async ({ page, request }) => {
    await login(page);
    await page.goto("/pipelines");
    await page.getByRole("link", { name: "scoring-fanout" }).click();
    await expect(page).toHaveURL(/\/pipelines\/scoring-fanout$/);
    await expect(page.getByTestId("pipeline-version")).toHaveCount(1);
    await expect(page.getByRole("table")).toContainText("leaderboard");
    await screenshots(page, "pipeline-detail");

    await page.getByLabel(/^Params/).fill('{ "threshold": 0.2 }');
    await page.getByLabel(/^Budget/).fill("5");
    await page.getByLabel(/^Label/).fill("from the pipeline page");
    await page.getByRole("button", { name: "Run v1" }).click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop()!;
    const { run } = await gql<{
      run: { pipeline: string; pipelineVersion: number; params: Record<string, unknown>; cost: { budget: number } };
    }>(request, "query ($id: ID!) { run(id: $id) { pipeline pipelineVersion params cost { budget } } }", { id });
    expect(run.pipeline).toBe("scoring-fanout");
    expect(run.pipelineVersion).toBe(1);
    expect(run.params.threshold).toBe(0.2);
    expect(run.cost.budget).toBe(5);
  });
});
