import { expect, type Page, test } from "@playwright/test";
import { gql, login, VIEWPORTS } from "./shell-fixtures";

/**
 * Screenshots of /tokens for review (test-results/tokens-*.png): light and dark, desktop
 * and phone, with a fresh secret on show, and what non-admins get.
 */

const CREATE = "mutation ($input: CreateTokenInput!) { createToken(input: $input) { secret token { id } } }";

async function shoot(page: Page, name: string, fullPage = true) {
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `test-results/${name}-${v.width}x${v.height}.png`, fullPage });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test("tokens page screenshots: light and dark, 1440×900 and 390×844", async ({ page, request, browser }) => {
  // A namespace that looks used: people, an integration, a revoked token, open sessions.
  const make = async (name: string, role: string) =>
    (await gql<{ createToken: { secret: string; token: { id: string } } }>(request, CREATE, { input: { name, role } }))
      .createToken;
  await make("grafana-dashboards", "VIEWER");
  const ci = await make("ci-deploy-bot", "OPERATOR");
  const old = await make("old-laptop", "OPERATOR");
  await gql(request, "mutation ($id: ID!) { revokeToken(id: $id) { id } }", { id: old.token.id });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  await (await phone.newPage()).goto(`/login#token=${ci.secret}`);

  await login(page);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/tokens");
    await expect(page.getByRole("list", { name: "API tokens" })).toBeVisible();
    await shoot(page, `tokens-${scheme}`);
  }

  await page.emulateMedia({ colorScheme: "light" });
  await page.getByRole("textbox", { name: /^Name/ }).fill("alice");
  await page.getByLabel("Role").selectOption("ADMIN");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token-secret")).toBeVisible();
  await shoot(page, "tokens-secret-light", false);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByRole("button", { name: "Copy secret" }).click();
  await shoot(page, "tokens-secret-dark", false);
  await page.getByRole("button", { name: "Done" }).click();

  const row = page.getByRole("list", { name: "API tokens" }).getByTestId("token-row").filter({ hasText: "grafana" });
  await row.getByRole("button", { name: "Revoke" }).click();
  await shoot(page, "tokens-confirm-dark", false);
  await page.emulateMedia({ colorScheme: "light" });
  await shoot(page, "tokens-confirm-light", false);

  const viewer = await gql<{ createToken: { secret: string } }>(request, CREATE, {
    input: { name: "screenshot-viewer", role: "VIEWER" },
  });
  const other = await browser.newContext();
  const vp = await other.newPage();
  await vp.goto(`/login#token=${viewer.createToken.secret}`);
  await expect(vp).not.toHaveURL(/\/login/);
  await vp.goto("/tokens");
  await expect(vp.getByText("Admins only")).toBeVisible();
  await shoot(vp, "tokens-refused", false);
  await other.close();
  await phone.close();
});
