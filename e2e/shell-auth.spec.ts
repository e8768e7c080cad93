import { expect, test } from "@playwright/test";
import { login, screenshots, TOKEN } from "./shell-fixtures";

test.describe("session and shell", () => {
  test("pages redirect to /login; a wrong token is refused inline", async ({ page }) => {
    await page.goto("/inbox");
    await expect(page).toHaveURL(/\/login\?next=%2Finbox$/);
    await page.getByLabel("API token").fill("sbx_not_a_real_token");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByText(/token is not valid/)).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    await screenshots(page, "login");
  });

  test("the login link's #token fragment logs in, leaves no token in the URL, sets an httpOnly Lax cookie", async ({
    page,
    context,
  }) => {
    await login(page);
    await expect(page).toHaveURL(/\/$/);
    expect(page.url()).not.toContain(TOKEN);
    const cookie = (await context.cookies()).find((c) => c.name === "signalbox_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    // The cookie holds a session token of this browser's own, never the token typed in.
    expect(cookie?.value).toMatch(/^sbx_/);
    expect(cookie?.value).not.toBe(TOKEN);
    expect(await page.evaluate(() => document.cookie)).not.toContain("signalbox_session");

    // The shell: navigation everywhere, current page marked.
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const name of ["Runs", "New run", "Pipelines", "Inbox", "GraphiQL"]) {
      await expect(nav.getByRole("link", { name: new RegExp(`^${name}`) })).toBeVisible();
    }
    await nav.getByRole("link", { name: /^Pipelines/ }).click();
    await expect(page).toHaveURL(/\/pipelines$/);
    await expect(nav.getByRole("link", { name: /^Pipelines/ })).toHaveAttribute("aria-current", "page");
  });

  test("typing the token into the form logs in and returns to the page asked for", async ({ page }) => {
    await page.goto("/pipelines");
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByLabel("API token").fill(TOKEN);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/pipelines$/);
  });

  test("the theme toggle switches dark / light and remembers it", async ({ page }) => {
    await login(page);
    const html = page.locator("html");
    const toggle = page.getByRole("button", { name: /^Theme:/ });
    await toggle.click(); // system → light
    await expect(html).not.toHaveClass(/dark/);
    await toggle.click(); // light → dark
    await expect(html).toHaveClass(/dark/);
    await page.reload();
    await expect(html).toHaveClass(/dark/);
    await toggle.click(); // back to system
  });

  test("log out ends the session: the cookie is gone and the session behind it is revoked", async ({
    page,
    context,
    browser,
  }) => {
    await login(page);
    const cookie = (await context.cookies()).find((c) => c.name === "signalbox_session");
    expect(cookie).toBeTruthy();
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    // A copy of the old cookie (say, lifted from this machine) no longer works anywhere.
    const replay = await browser.newContext();
    await replay.addCookies([cookie!]);
    const replayed = await replay.newPage();
    await replayed.goto("/");
    await expect(replayed).toHaveURL(/\/login$/);
    await replay.close();
    // The token used to log in is untouched: logging in again works.
    await login(await context.newPage());
  });
});
