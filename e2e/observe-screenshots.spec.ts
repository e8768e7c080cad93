import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { parse } from "yaml";
import { THEME_KEY } from "../app/components/shell/theme-script";
import { expectRunStatus, signIn, submitRun } from "./run-console-support";

/** Pictures of the Timeline and Metrics tabs for a person to look at (`SCREENSHOTS=1`). */

const SPEC = {
  name: "screenshot-timeline",
  nodes: [
    { id: "prepare", kind: "sleep", with: { ms: 400 } },
    { id: "slow", kind: "sleep", needs: ["prepare"], with: { ms: 2500 } },
    { id: "items", kind: "transform", needs: ["prepare"], with: { expression: "[1..12]" } },
    {
      id: "fan",
      kind: "map",
      needs: ["items"],
      with: { over: "inputs.items", concurrency: 4, node: { kind: "sleep", with: { ms: 300 } } },
    },
    { id: "approve", kind: "gate", needs: ["fan"], with: { title: "Ship it?" } },
  ],
};

async function shot(page: Page, name: string, scroll = true) {
  if (scroll) await page.getByRole("tabpanel").scrollIntoViewIfNeeded();
  await page.waitForTimeout(400);
  await page.screenshot({ path: `test-results/observe-${name}.png` });
}

for (const scheme of ["light", "dark"] as const) {
  for (const [w, h] of [
    [1440, 900],
    [390, 844],
  ] as const) {
    test(`timeline and metrics, ${scheme}, ${w}px`, async ({ browser, baseURL, request }) => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: w, height: h } });
      await context.addInitScript(([k, v]) => localStorage.setItem(k, v), [THEME_KEY, scheme] as const);
      await signIn(context, baseURL!);
      const page = await context.newPage();
      const id = await submitRun(request, { spec: SPEC, label: "timeline screenshot" });
      await page.goto(`/runs/${id}`);
      await page.getByRole("tab", { name: "Timeline" }).click();
      await expect(page.locator('[data-node-key="approve"][data-open]')).toBeVisible({ timeout: 30_000 });
      await page.getByRole("button", { name: /Expand 12 children of fan/ }).click();
      await shot(page, `timeline-${scheme}-${w}`);

      const metrics = parse(readFileSync(new URL("../examples/command-metrics.yaml", import.meta.url), "utf8"));
      metrics.nodes.push({ ...metrics.nodes[0], id: "train-b" });
      const mid = await submitRun(request, { spec: metrics, label: "metrics screenshot" });
      await page.goto(`/runs/${mid}`);
      await expectRunStatus(page, "SUCCEEDED");
      await page.getByRole("tab", { name: "Metrics" }).click();
      const chart = page.getByTestId("metric-chart").first();
      await chart.scrollIntoViewIfNeeded();
      const box = (await chart.locator(".u-over").boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
      await shot(page, `metrics-${scheme}-${w}`, false);
      await page.locator('[data-testid="run-graph"] [data-node-key="train"]').click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: `test-results/observe-drawer-${scheme}-${w}.png` });
      await context.close();
    });
  }
}
