import { expect, test } from "@playwright/test";

test("the app serves its home page and health check", async ({ page, request }) => {
  const health = await request.get("/api/health");
  expect(health.ok()).toBe(true);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Signalbox" })).toBeVisible();
  await page.screenshot({ path: "test-results/home.png" });
});
