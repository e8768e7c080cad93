import { expect, test } from "@playwright/test";

test("the app is up: health check, and a visitor without a session lands on the login page", async ({
  page,
  request,
}) => {
  const health = await request.get("/api/health");
  expect(health.ok()).toBe(true);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(page.locator("input#token")).toBeVisible();
});
