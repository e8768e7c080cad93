import { expect, type Page, test } from "@playwright/test";
import { gql, login, submitSpec, VIEWPORTS } from "./shell-fixtures";
import { type Receiver, startReceiver } from "./webhook-receiver";

/**
 * Screenshots of /webhooks for review (test-results/webhooks-*.png): light and dark,
 * 1440×900 and 390×844 — deliveries delivered and retrying, a disabled webhook, a refused
 * URL and a fresh secret on show.
 */

const CREATE = "mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }";

async function shoot(page: Page, name: string, fullPage = true) {
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(250);
    await page.screenshot({ path: `test-results/${name}-${v.width}x${v.height}.png`, fullPage });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver?.close());

test("webhooks page screenshots: light and dark, 1440×900 and 390×844", async ({ page, request }) => {
  const create = async (path: string, events: string[]) =>
    (
      await gql<{ createWebhook: { webhook: { id: string } } }>(request, CREATE, {
        input: { url: `${receiver.url}${path}`, events },
      })
    ).createWebhook.webhook.id;
  await create("/ops/signalbox", ["GATE_WAITING", "RUN_FAILED", "RUN_SUCCEEDED"]);
  await create("/fail/pager", ["RUN_FAILED", "RUN_SUCCEEDED"]);
  const off = await create("/old/endpoint", ["RUN_CANCELLED"]);
  await gql(request, "mutation ($id: ID!) { updateWebhook(id: $id, input: {enabled: false}) { id } }", { id: off });
  await submitSpec(
    request,
    "name: nightly-report\nnodes:\n  - id: one\n    kind: transform\n    with: { expression: '1' }\n",
  );
  await submitSpec(
    request,
    "name: scoring\nnodes:\n  - id: boom\n    kind: transform\n    with: { expression: \"$error('bad input')\" }\n",
  );

  await login(page);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/webhooks");
    await expect(page.getByTestId("delivery-row").filter({ hasText: "delivered" }).first()).toBeVisible({
      timeout: 20_000,
    });
    await expect(page.getByTestId("delivery-row").filter({ hasText: "retrying" }).first()).toBeVisible({
      timeout: 20_000,
    });
    await page
      .getByText(/Attempt log/)
      .first()
      .click();
    await shoot(page, `webhooks-${scheme}`);
  }

  const form = page.getByRole("form", { name: "New webhook" });
  await form.getByRole("textbox", { name: "Payload URL" }).fill("http://169.254.169.254/latest/meta-data/");
  await form.getByRole("button", { name: "Create webhook" }).click();
  await expect(form.getByRole("alert")).toBeVisible();
  await shoot(page, "webhooks-refused-dark", false);
  await page.emulateMedia({ colorScheme: "light" });
  await shoot(page, "webhooks-refused-light", false);
  await form.getByRole("textbox", { name: "Payload URL" }).fill(`${receiver.url}/new`);
  await form.getByRole("button", { name: "Create webhook" }).click();
  await expect(page.getByTestId("new-webhook-secret")).toBeVisible();
  await shoot(page, "webhooks-secret-light", false);
  await page.emulateMedia({ colorScheme: "dark" });
  await shoot(page, "webhooks-secret-dark", false);
});
