import { type Browser, expect, type Page, test, type WebSocket } from "@playwright/test";
import { gql, login, submitSpec, TOKEN, twoSleeps } from "./shell-fixtures";

/**
 * Tokens and sessions in the browser: an admin creates a token (secret shown once), another
 * browser logs in with it, revoking it cuts that browser off live, logging out ends the
 * session's WebSocket while other sessions stay live, and non-admins get no token admin.
 */

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

/** A fresh browser (own cookies) logged in with `secret` through the login link. */
async function browserWith(browser: Browser, secret: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`/login#token=${secret}`);
  await expect(page).toHaveURL(/\/$/);
  return page;
}

const indicator = (page: Page) => page.getByTestId("connection-indicator");
const apiRow = (page: Page, name: string) =>
  page.getByRole("list", { name: "API tokens" }).getByTestId("token-row").filter({ hasText: name });

/** Create a token on /tokens; returns the secret the page shows once. */
async function createToken(page: Page, name: string, role: "Viewer" | "Operator" | "Admin"): Promise<string> {
  await page.getByRole("textbox", { name: /^Name/ }).fill(name);
  await page.getByLabel("Role").selectOption({ label: role });
  await page.getByRole("button", { name: "Create token" }).click();
  const panel = page.getByTestId("new-token-secret");
  await expect(panel).toContainText("you won't see it again");
  await expect(panel.getByRole("heading")).toBeFocused();
  const secret = await panel.getByRole("textbox").inputValue();
  expect(secret).toMatch(/^sbx_/);
  return secret;
}

/** Open WebSockets of the page's live connection, as the browser sees them. */
function trackSockets(page: Page): WebSocket[] {
  const sockets: WebSocket[] = [];
  page.on("websocket", (ws) => {
    if (new URL(ws.url()).pathname === "/api/graphql") sockets.push(ws);
  });
  return sockets;
}

test.describe("tokens and sessions", () => {
  test("an admin creates an operator token: the secret shows once, another browser works with it until revoked", async ({
    page,
    browser,
    request,
  }) => {
    // Two browsers and five page loads: on a loaded 2-core machine this takes most of a minute.
    test.setTimeout(120_000);
    await login(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Tokens" }).click();
    await expect(page).toHaveURL(/\/tokens$/);
    await expect(nav.getByRole("link", { name: "Tokens" })).toHaveAttribute("aria-current", "page");

    const name = unique("ops");
    const secret = await createToken(page, name, "Operator");
    await expect(page.getByRole("button", { name: "Copy secret" })).toBeVisible();
    const row = apiRow(page, name);
    await expect(row).toHaveAttribute("data-state", "active");
    await expect(row.locator("[data-role]:visible")).toHaveAttribute("data-role", "OPERATOR");

    // Once: after a reload the secret is nowhere on the page.
    await page.reload();
    await expect(apiRow(page, name)).toHaveCount(1);
    await expect(page.getByTestId("new-token-secret")).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);

    // A second browser logs in with it and is live; as an operator it has no token admin.
    const op = await browserWith(browser, secret);
    await expect(indicator(op)).toHaveAttribute("data-state", "live");
    await expect(op.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tokens" })).toHaveCount(0);
    const cookie = (await op.context().cookies()).find((c) => c.name === "signalbox_session");
    expect(cookie?.value).toBeTruthy();
    expect(cookie?.value).not.toBe(secret); // the cookie holds a session of its own
    // It works: a run started elsewhere appears on its page live.
    const runId = await submitSpec(request, twoSleeps(unique("seen-by-ops"), 200));
    await expect(op.locator(`[data-testid="run-row"][data-run-id="${runId}"]`)).toBeVisible();

    // The admin sees that browser's session under the token, then revokes the token.
    await page.reload();
    const session = page
      .getByRole("list", { name: "Open browser sessions" })
      .getByTestId("token-row")
      .filter({ hasText: `opened with ${name}` });
    await expect(session).toHaveCount(1);
    await expect(session).toContainText("Chrome");
    await apiRow(page, name).getByRole("button", { name: "Revoke" }).click();
    await expect(apiRow(page, name)).toContainText("its 1 browser session end");
    await apiRow(page, name).getByRole("button", { name: "Yes, revoke" }).click();
    const revokedAt = Date.now();
    await expect(apiRow(page, name)).toHaveAttribute("data-state", "revoked");
    await expect(apiRow(page, name)).toContainText(/Revoked (just now|\d+s ago)/);

    // The other browser loses its live connection within 10 s, and cannot get it back.
    await expect(indicator(op)).not.toHaveAttribute("data-state", "live", { timeout: 10_000 });
    expect(Date.now() - revokedAt).toBeLessThan(10_000);
    await op.waitForTimeout(4_000);
    await expect(indicator(op)).not.toHaveAttribute("data-state", "live");
    await op.reload();
    await expect(op).toHaveURL(/\/login$/);
    await op.context().close();

    // Revoked tokens stay listed, greyed, with their time; its session ended with it.
    await page.reload();
    await expect(apiRow(page, name)).toHaveAttribute("data-state", "revoked");
    await expect(apiRow(page, name).getByRole("button", { name: "Revoke" })).toHaveCount(0);
  });

  test("logging out ends that browser's live WebSocket within 10 s; another session stays live", async ({
    browser,
    request,
  }) => {
    const leaving = await (await browser.newContext()).newPage();
    const sockets = trackSockets(leaving);
    await login(leaving);
    const staying = await browserWith(browser, TOKEN);
    await expect(indicator(leaving)).toHaveAttribute("data-state", "live");
    await expect(indicator(staying)).toHaveAttribute("data-state", "live");
    const socket = sockets.find((s) => !s.isClosed());
    expect(socket).toBeTruthy();
    const oldCookie = (await leaving.context().cookies()).find((c) => c.name === "signalbox_session");
    expect(oldCookie?.value).toBeTruthy();
    expect(oldCookie?.value).not.toBe(TOKEN);

    // Log out without leaving the page: only the server can end the open socket.
    const closed = socket!.waitForEvent("close", { timeout: 10_000 });
    const at = Date.now();
    expect(await leaving.evaluate(async () => (await fetch("/api/session", { method: "DELETE" })).status)).toBe(204);
    await closed;
    expect(Date.now() - at).toBeLessThan(10_000);
    await expect(indicator(leaving)).not.toHaveAttribute("data-state", "live", { timeout: 10_000 });

    // The other session is untouched and still gets live updates.
    await expect(indicator(staying)).toHaveAttribute("data-state", "live");
    const runId = await submitSpec(request, twoSleeps(unique("after-logout"), 200));
    await expect(staying.locator(`[data-testid="run-row"][data-run-id="${runId}"]`)).toBeVisible();
    await expect(leaving.locator(`[data-testid="run-row"][data-run-id="${runId}"]`)).toHaveCount(0);

    // The ended session's cookie, replayed in a fresh browser, is refused.
    const replay = await browser.newContext();
    await replay.addCookies([oldCookie!]);
    const replayed = await replay.newPage();
    await replayed.goto("/");
    await expect(replayed).toHaveURL(/\/login$/);
    await replay.close();
    await staying.context().close();
    await leaving.context().close();
  });

  test("an admin switches command nodes off and on for the namespace", async ({ page, request }) => {
    await login(page);
    await page.goto("/tokens");
    const toggle = page.getByRole("switch", { name: "Allow command nodes" });
    // The e2e server starts with SIGNALBOX_ALLOW_COMMANDS=1: the first start turned `default` on.
    await expect(toggle).toBeChecked();
    const spec = { name: "cmd-switch", nodes: [{ id: "c", kind: "command", with: { argv: ["true"] } }] };
    const submit = () =>
      request.post("/api/graphql", {
        headers: { authorization: `Bearer ${TOKEN}` },
        data: { query: "mutation S($spec: JSON!) { submitRun(input: { spec: $spec }) { id } }", variables: { spec } },
      });
    try {
      await toggle.uncheck();
      await expect(toggle).not.toBeChecked();
      await expect
        .poll(
          async () =>
            (await gql<{ namespace: { allowCommands: boolean } }>(request, "{ namespace { allowCommands } }")).namespace
              .allowCommands,
        )
        .toBe(false);
      const refused = (await (await submit()).json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(refused.errors?.[0]?.extensions?.code).toBe("INVALID_SPEC");
      await page.reload();
      await expect(toggle).not.toBeChecked();
    } finally {
      await toggle.check();
      await expect
        .poll(
          async () =>
            (await gql<{ namespace: { allowCommands: boolean } }>(request, "{ namespace { allowCommands } }")).namespace
              .allowCommands,
        )
        .toBe(true);
    }
    const accepted = (await (await submit()).json()) as { data?: { submitRun: { id: string } } };
    expect(accepted.data?.submitRun.id).toBeTruthy();
  });

  test("viewers and operators see no Tokens entry, and /tokens refuses them", async ({ browser, request }) => {
    const created = await gql<{ createToken: { secret: string } }>(
      request,
      "mutation ($input: CreateTokenInput!) { createToken(input: $input) { secret } }",
      { input: { name: unique("viewer"), role: "VIEWER" } },
    );
    const viewer = await browserWith(browser, created.createToken.secret);
    const nav = viewer.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: /^Runs/ })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Tokens" })).toHaveCount(0);
    const res = await viewer.goto("/tokens");
    expect(res?.status()).toBe(404);
    await expect(viewer.getByText("Admins only")).toBeVisible();
    await expect(viewer.getByRole("button", { name: "Create token" })).toHaveCount(0);
    // The GraphQL op refuses it too, with its own session cookie.
    const refused = await viewer.evaluate(async () => {
      const r = await fetch("/api/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ tokens { id } }" }),
      });
      return ((await r.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
    });
    expect(refused).toBe("FORBIDDEN");
    await viewer.context().close();
  });

  test("ending this browser's own session from the list logs it out", async ({ browser }) => {
    const page = await browserWith(browser, TOKEN);
    await page.goto("/tokens");
    const mine = page
      .getByRole("list", { name: "Open browser sessions" })
      .getByTestId("token-row")
      .filter({ hasText: "this browser" });
    await expect(mine).toHaveCount(1);
    await mine.getByRole("button", { name: "End session" }).click();
    await expect(mine).toContainText("you will be logged out");
    await mine.getByRole("button", { name: "Yes, end session" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/tokens");
    await expect(page).toHaveURL(/\/login\?next=%2Ftokens$/);
    await page.context().close();
  });

  test("the tokens page works from the keyboard: create, then revoke with a confirm that Escape backs out of", async ({
    page,
  }) => {
    await login(page);
    await page.goto("/tokens");
    const name = unique("kbd");
    await page.getByRole("textbox", { name: /^Name/ }).focus();
    await page.keyboard.type(name);
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Role")).toBeFocused();
    await page.keyboard.press("ArrowDown"); // viewer → operator
    await expect(page.getByLabel("Role")).toHaveValue("OPERATOR");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Create token" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("new-token-secret")).toContainText("operator");
    await page.getByRole("button", { name: "Done" }).press("Enter");
    await expect(page.getByTestId("new-token-secret")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Create token" })).toBeVisible();

    const revoke = apiRow(page, name).getByRole("button", { name: "Revoke" });
    await revoke.focus();
    await page.keyboard.press("Enter");
    const yes = apiRow(page, name).getByRole("button", { name: "Yes, revoke" });
    await expect(yes).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(yes).toHaveCount(0);
    await expect(apiRow(page, name).getByRole("button", { name: "Revoke" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(yes).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(apiRow(page, name)).toHaveAttribute("data-state", "revoked");
  });

  test("on a slow machine the page settles: a token created, its times current, and no render loop", async ({
    page,
  }) => {
    // Relative times re-subscribed to their shared clock on every render, and a
    // re-subscription moved the clock, forcing another render: when a round took a
    // millisecond or more (a loaded CI machine) React gave up with "Maximum update depth
    // exceeded" (#185) and the page froze. A clock that advances 1 ms per read makes every
    // round take "a millisecond" here.
    await page.addInitScript(() => {
      const real = Date.now.bind(Date);
      let skew = 0;
      Date.now = () => real() + ++skew;
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await login(page);
    await page.goto("/tokens");
    const name = unique("slow");
    await createToken(page, name, "Viewer");
    await page.getByRole("button", { name: "Done" }).click();
    await expect(apiRow(page, name)).toHaveAttribute("data-state", "active");
    await page.reload();
    await expect(apiRow(page, name).locator("time").first()).toHaveText(/ago|just now/);
    expect(errors.filter((e) => /#185|Maximum update depth/.test(e))).toEqual([]);
  });
});
