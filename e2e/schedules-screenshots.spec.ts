import { expect, type Page, test } from "@playwright/test";
import { gql, login, VIEWPORTS } from "./shell-fixtures";

/**
 * Screenshots of /schedules for review (test-results/schedules-*.png, or SCREENSHOT_DIR): light and dark,
 * desktop and phone, with schedules that have run, skipped and been disabled, seen from
 * a browser in New York; and the create form refusing a bad cron and time zone.
 */

test.use({ timezoneId: "America/New_York" });

/** Where the pictures go (another run's cleanup of test-results/ must not take them). */
const DIR = process.env.SCREENSHOT_DIR ?? "test-results";

async function shoot(page: Page, name: string, fullPage = true) {
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${DIR}/${name}-${v.width}x${v.height}.png`, fullPage });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

const CREATE = "mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }";

test("schedules page screenshots: light and dark, 1440×900 and 390×844", async ({ page, request }) => {
  test.setTimeout(90_000);
  // A quick pipeline of our own: run an inline spec, promote it.
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
    { input: { spec: "name: quick\nnodes:\n  - id: work\n    kind: sleep\n    with: { ms: 300 }\n" } },
  );
  await expect
    .poll(
      async () =>
        (await gql<{ run: { status: string } }>(request, `{ run(id: "${submitRun.id}") { status } }`)).run.status,
    )
    .toBe("SUCCEEDED");
  await gql(request, `mutation { promoteRun(runId: "${submitRun.id}", name: "heartbeat-check") { id } }`);

  const create = (input: Record<string, unknown>) =>
    gql<{ createSchedule: { id: string } }>(request, CREATE, { input });
  await create({ name: "heartbeat", pipeline: "heartbeat-check", cron: "*/4 * * * * *", overlap: "QUEUE" });
  // Its first run waits at a gate: later fires are skipped as overlaps.
  await create({ name: "gated review", pipeline: "hello-gate", cron: "*/3 * * * * *", overlap: "SKIP" });
  await create({
    name: "nightly report",
    pipeline: "nightly-report",
    version: 1,
    cron: "30 2 * * *",
    timezone: "Europe/Berlin",
    catchUp: 3,
    budget: 1.5,
    params: { day: "yesterday" },
  });
  await create({
    name: "weekly cleanup",
    pipeline: "heartbeat-check",
    cron: "0 6 * * MON",
    timezone: "Asia/Tokyo",
    overlap: "CANCEL_PREVIOUS",
    enabled: false,
  });
  await page.waitForTimeout(13_000);

  await login(page);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/schedules");
    await expect(page.getByTestId("schedule")).toHaveCount(4);
    await expect(page.getByText("Skipped recently")).toBeVisible();
    await shoot(page, `schedules-${scheme}`);
  }

  await page.getByRole("link", { name: "New schedule" }).click();
  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Name", { exact: true }).fill("broken");
  await form.getByLabel("Cron", { exact: true }).fill("*/5 * * *");
  await form.getByLabel("Time zone", { exact: true }).fill("Europe/Berlinn");
  await form.getByLabel("Params").fill('{"region": eu}');
  await form.getByRole("button", { name: "Create schedule" }).click();
  await expect(form.getByText(/not valid JSON/)).toBeVisible();
  await form.getByLabel("Params").fill('{"region": "eu"}');
  await form.getByRole("button", { name: "Create schedule" }).click();
  await expect(form.getByText(/4 fields/)).toBeVisible();
  await shoot(page, "schedules-form-dark", false);
  await page.emulateMedia({ colorScheme: "light" });
  await shoot(page, "schedules-form-light", false);

  // Stop the fast ones: nothing keeps running after the pictures.
  const { schedules } = await gql<{ schedules: { id: string }[] }>(request, "{ schedules { id } }");
  for (const s of schedules)
    await gql(request, "mutation ($id: ID!) { setScheduleEnabled(id: $id, enabled: false) { id } }", { id: s.id });
});
