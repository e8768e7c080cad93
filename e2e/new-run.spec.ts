import { expect, test } from "@playwright/test";
import { gql, login, screenshots } from "./shell-fixtures";

const VALID = `name: pasted-demo
params: { who: "e2e" }
nodes:
  - id: wait
    kind: sleep
    with: { ms: 300 }
  - id: greet
    kind: transform
    needs: [wait]
    with: { expression: '"hello " & params.who' }
`;

const INVALID = `name: broken
nodes:
  - id: a
    kind: sleep
    with: { ms: 10 }
  - id: b
    kind: teleport
    needs: [a]
  - id: c
    kind: sleep
    needs: [ghost]
    with: { ms: 10 }
`;

test.describe("new run", () => {
  test("a pasted spec with params, budget and label starts a run and opens its console", async ({ page, request }) => {
    await login(page);
    await page.getByRole("link", { name: "New run" }).first().click();
    await expect(page.getByRole("heading", { name: "New run" })).toBeVisible();
    await screenshots(page, "new-run");
    await page.getByRole("textbox", { name: /^Spec/ }).fill(VALID);
    await page
      .getByLabel(/^Params/)
      .first()
      .fill('{ "who": "playwright" }');
    await page
      .getByLabel(/^Budget/)
      .first()
      .fill("1.5");
    await page
      .getByLabel(/^Label/)
      .first()
      .fill("pasted from e2e");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop()!;
    const { run } = await gql<{ run: { label: string; params: unknown; cost: { budget: number } } }>(
      request,
      "query ($id: ID!) { run(id: $id) { label params cost { budget } } }",
      { id },
    );
    expect(run).toMatchObject({ label: "pasted from e2e", params: { who: "playwright" }, cost: { budget: 1.5 } });
  });

  test("an invalid spec lists every problem inline with its path and line", async ({ page }) => {
    await login(page);
    await page.goto("/runs/new");
    await page.getByRole("textbox", { name: /^Spec/ }).fill(INVALID);
    await page.getByRole("button", { name: "Start run" }).click();
    const problems = page.getByTestId("spec-problems");
    await expect(problems).toBeVisible();
    await expect(problems).toContainText("nodes[1].kind");
    await expect(problems).toContainText("nodes[2].needs[0]");
    await expect(problems).toContainText('unknown node "ghost"');
    // Paths map to the lines they point at.
    await expect(problems.getByRole("button", { name: "line 11" })).toBeVisible();
    await expect(page).toHaveURL(/\/runs\/new$/);
    await page.getByRole("button", { name: "line 11" }).click();
    await expect(page.getByRole("textbox", { name: /^Spec/ })).toBeFocused();
    await screenshots(page, "new-run-invalid");
  });

  test("a registered pipeline can be picked and started", async ({ page }) => {
    await login(page);
    await page.goto("/runs/new");
    await page.getByRole("tab", { name: "Registered pipeline" }).click();
    await page.getByLabel("Pipeline", { exact: true }).selectOption("hello-gate");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  });
});
