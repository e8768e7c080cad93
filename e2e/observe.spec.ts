import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { parse } from "yaml";
import { expectRunStatus, shoot, signIn, submitRun } from "./run-console-support";

/** Timeline and Metrics tabs of the run page (SPEC §12). */

test.beforeEach(async ({ context, baseURL }) => {
  await signIn(context, baseURL!);
});

const TIMELINE_SPEC = {
  name: "e2e-timeline",
  nodes: [
    { id: "prepare", kind: "sleep", with: { ms: 300 } },
    { id: "slow", kind: "sleep", needs: ["prepare"], with: { ms: 6000 } },
    { id: "quick", kind: "sleep", needs: ["prepare"], with: { ms: 200 } },
    { id: "items", kind: "transform", needs: ["prepare"], with: { expression: "[1..4]" } },
    {
      id: "fan",
      kind: "map",
      needs: ["items"],
      with: { over: "inputs.items", node: { kind: "sleep", with: { ms: 400 } } },
    },
    { id: "report", kind: "transform", needs: ["slow", "quick", "fan"], with: { expression: "1" } },
  ],
};

async function openTab(page: Page, name: string) {
  await page.getByRole("tab", { name }).click();
  await expect(page.getByRole("tab", { name })).toHaveAttribute("aria-selected", "true");
}

const barWidth = (page: Page, key: string) =>
  page
    .locator(`[data-testid="timeline-row"][data-node-key="${key}"] [data-testid="timeline-bar"]`)
    .getAttribute("data-running-ms")
    .then(Number);

test("timeline: one bar per node, growing live, map children grouped, critical path, click → node drawer", async ({
  page,
  request,
}) => {
  const id = await submitRun(request, { label: "timeline e2e", spec: TIMELINE_SPEC });
  await page.goto(`/runs/${id}`);
  await openTab(page, "Timeline");
  const timeline = page.getByTestId("timeline");
  const rows = timeline.getByTestId("timeline-row");
  // One row per spec node; the map's children are grouped under it.
  await expect(rows).toHaveCount(TIMELINE_SPEC.nodes.length);
  await expect(rows.first()).toHaveAttribute("data-node-key", "prepare");

  // `slow` runs for 6 s: its bar grows while it does.
  await expect(timeline.locator('[data-node-key="slow"][data-open]')).toBeVisible({ timeout: 15_000 });
  const w1 = await barWidth(page, "slow");
  await page.waitForTimeout(1500);
  const w2 = await barWidth(page, "slow");
  expect(w2).toBeGreaterThan(w1 + 800);
  await shoot(page, "timeline-live", false);

  // The fan's children: a spread on the group row, their own rows when expanded.
  await expect(timeline.locator('[data-node-key="fan"] [data-testid="timeline-spread"]')).toBeVisible();
  await timeline.getByRole("button", { name: /Expand 4 children of fan/ }).click();
  await expect(rows).toHaveCount(TIMELINE_SPEC.nodes.length + 4);

  await expectRunStatus(page, "SUCCEEDED", 30_000);
  // The critical path: prepare → slow → report (the fan and quick finished long before).
  await expect(timeline.locator("[data-critical]")).toHaveCount(3);
  for (const k of ["prepare", "slow", "report"])
    await expect(timeline.locator(`[data-node-key="${k}"]`)).toHaveAttribute("data-critical", "true");
  // Finished: the bar stops growing.
  const done = await barWidth(page, "slow");
  expect(done).toBeGreaterThanOrEqual(5900);
  await page.waitForTimeout(700);
  expect(await barWidth(page, "slow")).toBe(done);

  // Zoom in and back to fit.
  await timeline.getByRole("button", { name: "Zoom in" }).click();
  await expect(timeline.getByRole("button", { name: /^Fit/ })).toHaveAttribute("aria-pressed", "false");
  await timeline.getByRole("button", { name: /^Fit/ }).click();
  await expect(timeline.getByRole("button", { name: /^Fit/ })).toHaveAttribute("aria-pressed", "true");

  await timeline.locator('[data-node-key="slow"] [data-testid="timeline-bar"]').click();
  await expect(page.getByTestId("node-drawer")).toHaveAttribute("data-node-key", "slow");
});

test("timeline of a finished run with more events than the page holds: early queue times are loaded", async ({
  page,
  request,
}) => {
  // 150 children × ~3 events each: well over the ~300 recent events the page renders with.
  const spec = {
    name: "e2e-timeline-history",
    nodes: [
      { id: "items", kind: "transform", with: { expression: "[1..150]" } },
      {
        id: "fan",
        kind: "map",
        needs: ["items"],
        with: { over: "inputs.items", maxItems: 150, concurrency: 10, node: { kind: "sleep", with: { ms: 20 } } },
      },
    ],
  };
  const id = await submitRun(request, { label: "timeline history e2e", spec });
  await page.goto(`/runs/${id}`);
  await expectRunStatus(page, "SUCCEEDED", 60_000);
  await page.reload();
  await openTab(page, "Timeline");
  await page.getByRole("button", { name: /Expand 150 children of fan/ }).click();
  // The first child's QUEUED change is long before the page's events: it comes from history.
  await expect(
    page.locator('[data-testid="timeline-row"][data-node-key="fan[0]"] [data-testid="timeline-bar"]'),
  ).toHaveAttribute("data-segments", /queued running/);
});

test("metrics: the command-metrics loss curve is drawn point by point, in the tab and the node drawer", async ({
  page,
  request,
}) => {
  // The example pipeline's own spec, after a short warm-up so the page is open before the
  // first point (the command prints one loss every 300 ms).
  const spec = parse(readFileSync(new URL("../examples/command-metrics.yaml", import.meta.url), "utf8"));
  spec.nodes = [
    { id: "warmup", kind: "sleep", with: { ms: 3000 } },
    ...spec.nodes.map((n: object) => ({ ...n, needs: ["warmup"] })),
  ];
  const id = await submitRun(request, { spec, label: "metrics e2e" });
  await page.goto(`/runs/${id}`);
  await openTab(page, "Metrics");
  await expect(page.getByTestId("metrics-empty")).toBeVisible();
  // Every change of the loss chart's point count, as it happens.
  await page.evaluate(() => {
    const w = window as unknown as { __points: number[] };
    w.__points = [];
    const seen = (el: Element | null) => {
      const n = Number(el?.getAttribute("data-points") ?? 0);
      if (n && w.__points[w.__points.length - 1] !== n) w.__points.push(n);
    };
    new MutationObserver(() =>
      seen(document.querySelector('[data-testid="metric-chart"][data-metric="loss"]')),
    ).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-points"] });
  });
  const chart = page.locator('[data-testid="metric-chart"][data-metric="loss"]');
  await expect(chart).toHaveAttribute("data-points", "5", { timeout: 30_000 });
  // Point by point: drawn as they arrive, not all at the end. (Points that land within one
  // redraw share it: on a loaded machine the 300 ms gaps bunch up, so only "more than one
  // step, always growing" is asserted.)
  const drawn = await page.evaluate(() => (window as unknown as { __points: number[] }).__points);
  expect(drawn.length).toBeGreaterThanOrEqual(2);
  expect(drawn).toEqual([...drawn].sort((a, b) => a - b));
  expect(drawn.at(-1)).toBe(5);
  await expect(chart).toHaveAttribute("data-lines", "1");
  await expect(chart.locator("canvas").first()).toBeVisible();

  // Hover read-out: the value under the cursor.
  await chart.scrollIntoViewIfNeeded();
  const plot = chart.locator(".u-over");
  const box = (await plot.boundingBox())!;
  await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
  await expect(chart.getByTestId("metric-readout")).toContainText("train");
  await expect(chart.getByTestId("metric-readout")).toContainText("0.1667");
  await shoot(page, "metrics-tab", false);

  await expectRunStatus(page, "SUCCEEDED");
  await page.locator('[data-testid="run-graph"] [data-node-key="train"]').click();
  const drawer = page.getByTestId("node-drawer");
  await expect(drawer.locator('[data-testid="metric-chart"][data-metric="loss"]')).toHaveAttribute("data-points", "5");

  // A reload draws the same curve from the run's stored series.
  await page.reload();
  await openTab(page, "Metrics");
  await expect(chart).toHaveAttribute("data-points", "5");
});
