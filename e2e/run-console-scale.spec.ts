import { expect, test } from "@playwright/test";
import { expectRunStatus, listedSeqs, range, runState, shoot, signIn, submitRun } from "./run-console-support";
import { FIREHOSE_LINES, firehoseSpec, WIDE_MAP_SPEC } from "./scale-specs";

/**
 * The console under load: a 1,000-child map fan-out, and a run emitting ~1,000 events/s.
 * These tests check that everything arrives and renders correctly; how much main-thread
 * time it costs is measured by `npm run bench:browser` (SPEC §9), not asserted here.
 */

test.beforeEach(async ({ context, baseURL }) => {
  await signIn(context, baseURL!);
});

test("a 1,000-node map run renders and updates", async ({ page, request }) => {
  test.setTimeout(240_000);
  const id = await submitRun(request, { label: "e2e 1000 nodes", spec: WIDE_MAP_SPEC });
  await page.goto(`/runs/${id}`);
  await expect(page.getByTestId("run-console").getByTestId("connection-indicator")).toHaveAttribute(
    "data-state",
    "live",
  );

  // The children arrive live (DAG_MUTATED) as one group with counts per status, which then move.
  const group = page.locator('[data-group="fan"]');
  await expect(group).toHaveAttribute("data-total", "1000", { timeout: 30_000 });
  await expect(page.getByText("1004 nodes", { exact: true })).toBeVisible();
  await expect(group.locator('[data-count-status="RUNNING"]')).toBeVisible({ timeout: 15_000 });
  const before = Number(await group.getAttribute("data-done"));
  await expect
    .poll(async () => Number(await group.getAttribute("data-done")), { timeout: 20_000 })
    .toBeGreaterThan(before + 50);
  await shoot(page, "map-1000-running-1440", false);

  // Expand: all 1,000 children render as cells inside the group and keep updating.
  await group.click();
  const cells = group.locator("[data-node-key]");
  await expect(cells).toHaveCount(1000, { timeout: 20_000 });
  await shoot(page, "map-1000-expanded-running-1440", false);
  await expectRunStatus(page, "SUCCEEDED", 180_000);
  await expect(group.locator('[data-node-key][data-status="SUCCEEDED"]')).toHaveCount(1000);
  await expect(group).toHaveAttribute("data-done", "1000");
  await shoot(page, "map-1000-expanded-1440", false);

  // A child opens in the drawer; the event list has every event.
  await group.locator('[data-node-key="fan[0]"]').click();
  await expect(page.getByTestId("node-drawer")).toHaveAttribute("data-node-key", "fan[0]");
  const { lastSeq } = await runState(request, id);
  await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
});

test("a run emitting ~1,000 events/s: every event listed once, filters over the whole buffer", async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const lines = FIREHOSE_LINES;
  const id = await submitRun(request, { label: "e2e 1000 events/s", spec: firehoseSpec(lines) });
  await page.goto(`/runs/${id}`);
  await expect(page.getByTestId("run-console").getByTestId("connection-indicator")).toHaveAttribute(
    "data-state",
    "live",
  );
  await expect(page.getByTestId("log-count")).toHaveText(/[1-9]/, { timeout: 20_000 });
  await shoot(page, "firehose-running-1440", false);
  const seq0 = Number(await page.getByTestId("event-count").getAttribute("data-last-seq"));
  await expectRunStatus(page, "SUCCEEDED", 120_000);
  const { lastSeq } = await runState(request, id);
  expect(lastSeq - seq0).toBeGreaterThan(lines / 10); // a good part of the stream arrived live
  await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
  await expect(page.getByTestId("log-count")).toHaveText(`${lines.toLocaleString("en-US")} lines`);
  expect(await listedSeqs(page)).toEqual(range(lastSeq));

  // Filters apply to the whole buffer.
  await page.getByLabel("Level").selectOption("WARNING");
  await expect(page.getByTestId("log-count")).toHaveText("0 lines");
  await page.getByLabel("Level").selectOption("DEBUG");
  await page.getByLabel("Node").selectOption("firehose");
  await expect(page.getByTestId("log-count")).toHaveText(`${lines.toLocaleString("en-US")} lines`);
  await shoot(page, "firehose-finished-1440", false);

  // Opened afterwards, the page holds the recent events; older ones load a page at a time.
  await page.reload();
  const count = page.getByTestId("event-count");
  const first = Number(await count.getAttribute("data-first-seq"));
  expect(first).toBeGreaterThan(1);
  await expect(count).toHaveAttribute("data-last-seq", String(lastSeq));
  const linesBefore = Number((await page.getByTestId("log-count").textContent())?.replace(/\D/g, ""));
  await page.getByRole("region", { name: "Event stream" }).getByRole("button", { name: "Load earlier" }).click();
  await expect(count).toHaveAttribute("data-first-seq", String(Math.max(1, first - 1000)));
  await expect
    .poll(async () => Number((await page.getByTestId("log-count").textContent())?.replace(/\D/g, "")))
    .toBeGreaterThan(linesBefore);
});
