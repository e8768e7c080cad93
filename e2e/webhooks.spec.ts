import { expect, test } from "@playwright/test";
import { verifyWebhook } from "../sdk/src/webhooks";
import { gql, login, submitSpec } from "./shell-fixtures";
import { type Receiver, startReceiver } from "./webhook-receiver";

/**
 * Webhooks in the browser: an admin finds /webhooks in the nav, a private address is
 * refused beside the URL field, a webhook to a real receiver is created and its secret
 * shown once, and a run's completion appears as a delivery on the page without a reload,
 * signed with that secret. Operators get neither the nav entry nor the page.
 */

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver?.close());

test("an admin registers a webhook, sees the secret once, and sees a delivery after a run event", async ({
  page,
  request,
}) => {
  await login(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(nav.getByRole("link", { name: "Webhooks" })).toHaveAttribute("aria-current", "page");

  const form = page.getByRole("form", { name: "New webhook" });
  const url = form.getByRole("textbox", { name: "Payload URL" });
  // A private address is refused at registration, next to the field, which gets focus.
  await url.fill("https://10.1.2.3/hooks");
  await form.getByRole("button", { name: "Create webhook" }).click();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByRole("alert")).toContainText("may not reach 10.1.2.3:443: private address");
  await expect(url).toBeFocused();

  const path = `/hook-${Date.now().toString(36)}`;
  await url.fill(`${receiver.url}${path}`);
  await form.getByRole("checkbox", { name: "Run succeeded" }).check();
  await form.getByRole("button", { name: "Create webhook" }).click();
  const panel = page.getByTestId("new-webhook-secret");
  await expect(panel).toContainText("you won't see it again");
  await expect(panel.getByRole("heading")).toBeFocused();
  const secret = await panel.getByRole("textbox").inputValue();
  expect(secret).toMatch(/^whsec_/);
  const card = page.getByTestId("webhook").filter({ hasText: path });
  await expect(card).toHaveCount(1);
  await expect(card.getByRole("list", { name: "Events" })).toContainText("Run succeeded");

  // A run succeeds: the delivery shows up on the open page, delivered with a 200.
  const runId = await submitSpec(
    request,
    "name: webhook-e2e\nnodes:\n  - id: one\n    kind: transform\n    with: { expression: '1' }\n",
  );
  const row = card.getByTestId("delivery-row").first();
  await expect(row).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 20_000 });
  await expect(row).toContainText("Run succeeded");
  await expect(row).toContainText("delivered");
  await expect(row).toContainText("200");
  await expect(row.getByRole("link", { name: runId.slice(0, 8) })).toHaveAttribute("href", `/runs/${runId}`);
  const posts = receiver.got.filter((g) => g.path === path);
  expect(posts).toHaveLength(1);
  expect(
    verifyWebhook({ secret, body: posts[0].body, signature: String(posts[0].headers["signalbox-signature"]) }),
  ).toBe(true);

  // Once: gone after Done, and after a reload it is nowhere on the page.
  await panel.getByRole("button", { name: "Done" }).click();
  await page.reload();
  await expect(page.getByTestId("webhook").filter({ hasText: path })).toHaveCount(1);
  expect(await page.content()).not.toContain(secret);

  // Keyboard: the switch turns it off, and the page says what that means.
  const toggle = page.getByTestId("webhook").filter({ hasText: path }).getByRole("switch", { name: "Enabled" });
  await toggle.focus();
  await page.keyboard.press("Space");
  await expect(page.getByTestId("webhook").filter({ hasText: path }).getByTestId("disabled-reason")).toBeVisible();
});

test("operators see no Webhooks entry, and /webhooks refuses them", async ({ browser, request }) => {
  const created = await gql<{ createToken: { secret: string } }>(
    request,
    "mutation ($input: CreateTokenInput!) { createToken(input: $input) { secret } }",
    { input: { name: `ops-${Date.now().toString(36)}`, role: "OPERATOR" } },
  );
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/login#token=${created.createToken.secret}`);
  await expect(page).toHaveURL(/\/$/);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: /^Runs/ })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Webhooks" })).toHaveCount(0);
  const res = await page.goto("/webhooks");
  expect(res?.status()).toBe(404);
  await expect(page.getByText("Admins only")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create webhook" })).toHaveCount(0);
  await context.close();
});
