import { expect, type Page, test } from "@playwright/test";
import { login, screenshots } from "./shell-fixtures";

const WITH_GHOST = `name: editor-check
nodes:
  - id: a
    kind: sleep
    with:
      ms: 10
  - id: b
    kind: sleep
    needs: [ghost]
    with:
      ms: 10
`;

const editor = (page: Page) => page.getByRole("textbox", { name: /^Spec/ });

test.describe("spec editor", () => {
  test("marks an unknown `needs` at its line as it is typed", async ({ page }) => {
    await login(page);
    await page.goto("/runs/new");
    await editor(page).fill(WITH_GHOST);
    // The diagnostic underlines line 9 (`needs: [ghost]`), and its gutter marker sits on that line.
    const mark = page.locator(".cm-lintRange-error");
    await expect(mark).toHaveCount(1);
    await expect(mark).toHaveText("needs: [ghost]");
    const line9 = page.locator(".cm-line").nth(8);
    await expect(line9).toContainText("needs: [ghost]");
    await mark.hover();
    await expect(page.locator(".cm-tooltip-lint")).toContainText('nodes[1].needs[0]: unknown node "ghost"');
    await screenshots(page, "spec-editor-diagnostic");
    // Fixing it clears the mark.
    await page.locator(".cm-line", { hasText: "needs: [ghost]" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type("needs: [a]");
    await expect(page.locator(".cm-lintRange-error")).toHaveCount(0);
  });

  test("completes a node kind", async ({ page }) => {
    await login(page);
    await page.goto("/runs/new");
    await editor(page).fill("name: completion-check\nnodes:\n  - id: wait\n    ");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("kind: sl");
    const list = page.locator(".cm-tooltip-autocomplete");
    await expect(list).toBeVisible();
    await expect(list.getByRole("option", { name: /sleep/ })).toBeVisible();
    await screenshots(page, "spec-editor-completion");
    await page.keyboard.press("Enter");
    await expect(page.locator(".cm-line").nth(3)).toHaveText("    kind: sleep");
    // `with` keys come from the sleep kind's schema.
    await page.keyboard.press("Enter");
    await page.keyboard.type("with:");
    await page.keyboard.press("Enter");
    await page.keyboard.type("  m");
    await expect(list.getByRole("option", { name: /^ms/ })).toBeVisible();
  });

  test("a pipeline's spec opens in the editor, and a copy can be edited on /runs/new", async ({ page }) => {
    await login(page);
    await page.goto("/pipelines/hello-gate");
    const source = page.getByRole("textbox", { name: /^Spec of v/ });
    await expect(source).toContainText("kind: gate");
    await expect(source).toHaveAttribute("contenteditable", "false");
    await page.getByRole("link", { name: "Edit a copy and run it" }).click();
    await expect(page).toHaveURL(/\/runs\/new\?edit=hello-gate/);
    await expect(editor(page)).toContainText("name: hello-gate");
  });
});
