import { expect, test } from "@playwright/test";
import { gql, login } from "./shell-fixtures";

/** /schedules: create with inline validation, next fire times, disable, edit. */

test("create a schedule: a bad cron and time zone are refused at their fields, then next fires, disable, edit", async ({
  page,
}) => {
  await login(page);
  await page.goto("/schedules");
  await page.getByRole("link", { name: "New schedule" }).click();
  const form = page.getByRole("form", { name: "New schedule" });
  await expect(form).toBeVisible();

  await form.getByLabel("Name", { exact: true }).fill("e2e nightly");
  await form.getByLabel("Pipeline", { exact: true }).selectOption("hello-gate");
  await form.getByLabel("Cron", { exact: true }).fill("61 * * * *");
  await form.getByLabel("Time zone", { exact: true }).fill("Mars/Olympus_Mons");
  await form.getByRole("button", { name: "Create schedule" }).click();

  // Each refusal at its field; the first gets the focus; nothing was created.
  const cron = form.getByLabel("Cron", { exact: true });
  await expect(form.getByText("Invalid value for minute: 61")).toBeVisible();
  await expect(form.getByText(/unknown time zone "Mars\/Olympus_Mons"/)).toBeVisible();
  await expect(cron).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Time zone", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(cron).toBeFocused();
  await expect(page.getByTestId("schedule")).toHaveCount(0);

  await cron.fill("30 2 * * *");
  await expect(cron).not.toHaveAttribute("aria-invalid", "true");
  await form.getByLabel("Time zone", { exact: true }).fill("Europe/Berlin");
  await form.getByRole("button", { name: "Create schedule" }).click();

  const card = page.getByTestId("schedule").filter({ hasText: "e2e nightly" });
  await expect(card).toBeVisible();
  await expect(form).toBeHidden();
  await expect(card.getByText("30 2 * * *")).toBeVisible();
  // Next fires in the schedule's zone: 02:30 CET/CEST, three of them.
  const fires = card.getByTestId("next-fires");
  await expect(fires.getByRole("columnheader", { name: "Europe/Berlin" })).toBeVisible();
  await expect(fires.locator("tbody tr")).toHaveCount(3);
  await expect(fires.locator("tbody tr").first()).toContainText(/02:30 (CET|CEST|GMT\+[12])/);

  // Disable: no fires; it stays disabled after a reload.
  const toggle = card.getByRole("switch", { name: "e2e nightly: enabled" });
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await toggle.focus();
  await page.keyboard.press("Space");
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await expect(card.getByText("No fires while disabled.")).toBeVisible();
  await page.reload();
  await expect(card.getByRole("switch", { name: "e2e nightly: enabled" })).toHaveAttribute("aria-checked", "false");
  const { schedules } = await gql<{ schedules: { name: string; enabled: boolean }[] }>(
    page.request,
    "{ schedules { name enabled } }",
  );
  expect(schedules.find((s) => s.name === "e2e nightly")?.enabled).toBe(false);

  // Edit in place: a bad cron is refused at the field, a good one saved.
  await card.getByRole("button", { name: "Edit e2e nightly" }).click();
  const edit = page.getByRole("form", { name: "Edit schedule e2e nightly" });
  await edit.getByLabel("Cron", { exact: true }).fill("0 4 * *");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByText(/4 fields: give 5/)).toBeVisible();
  await edit.getByLabel("Cron", { exact: true }).fill("0 4 * * MON-FRI");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(card.getByText("0 4 * * MON-FRI")).toBeVisible();
});

test("a scheduled run says so: the schedule badge on the runs list, 'Started by schedule' on its page", async ({
  page,
  request,
}) => {
  const { createSchedule } = await gql<{ createSchedule: { id: string } }>(
    request,
    "mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }",
    { input: { name: "e2e every second", pipeline: "hello-gate", cron: "* * * * * *" } },
  );
  const lastRun = async () =>
    (
      await gql<{ schedule: { lastRun: { id: string } | null } }>(
        request,
        "query ($id: ID!) { schedule(id: $id) { lastRun { id } } }",
        { id: createSchedule.id },
      )
    ).schedule.lastRun?.id ?? null;
  await expect.poll(lastRun).not.toBeNull();
  // Its run waits at a gate: with overlap SKIP no second one starts.
  await gql(request, "mutation ($id: ID!) { setScheduleEnabled(id: $id, enabled: false) { id } }", {
    id: createSchedule.id,
  });
  const runId = (await lastRun()) as string;

  await login(page);
  await page.goto("/");
  const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  await expect(row.locator('[data-trigger="SCHEDULE"]')).toHaveText(/schedule/i);
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-schedule")).toHaveText("Started by schedule e2e every second");
  await page.getByTestId("run-schedule").getByRole("link", { name: "e2e every second" }).click();
  await expect(page).toHaveURL(/\/schedules$/);
});
