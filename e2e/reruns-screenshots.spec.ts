import { expect, type Page, test } from "@playwright/test";
import { runState } from "./run-console-support";
import { gql, login, VIEWPORTS } from "./shell-fixtures";

/**
 * Screenshots of re-runs for review (SCREENSHOTS=1; into `$RERUN_SHOTS_DIR`, default
 * test-results/): a re-run from failure with reused nodes and map children, its source
 * with the re-run buttons, and the runs list filtered by trigger — light and dark,
 * 1440×900 and 390×844.
 */
const DIR = process.env.RERUN_SHOTS_DIR ?? "test-results";

/** A chain, a small map and a big (grouped) one; odd children fail while `params.broken`. */
const SPEC = {
  name: "model-eval",
  params: { broken: false },
  nodes: [
    { id: "load", kind: "transform", with: { expression: "[1..8]" } },
    { id: "clean", kind: "transform", needs: ["load"], with: { expression: "inputs.load" } },
    {
      id: "score",
      kind: "map",
      needs: ["clean"],
      with: {
        over: "inputs.clean",
        node: {
          kind: "transform",
          with: { expression: "params.broken and item % 3 = 0 ? $error('shard lost') : item" },
        },
      },
    },
    {
      id: "sweep",
      kind: "map",
      needs: ["clean"],
      with: {
        over: "[1..60]",
        node: { kind: "transform", with: { expression: "params.broken and item % 7 = 0 ? $error('oom') : item" } },
      },
    },
    {
      id: "report",
      kind: "transform",
      needs: ["score", "sweep"],
      results: true,
      with: { expression: "[{'model': 'a', 'score': $sum(inputs.score)}]" },
    },
  ],
};

async function shots(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const v of VIEWPORTS) {
      await page.setViewportSize({ width: v.width, height: v.height });
      await page.waitForTimeout(700);
      await page.screenshot({ path: `${DIR}/rerun-${name}-${scheme}-${v.width}x${v.height}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.use({ deviceScaleFactor: 2 });

test("re-run screenshots", async ({ page, request }) => {
  test.setTimeout(180_000);
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
    { input: { spec: SPEC, params: { broken: true }, label: "eval · nightly" } },
  );
  const source = submitRun.id;
  await expect.poll(async () => (await runState(request, source)).status, { timeout: 60_000 }).toBe("FAILED");
  const { rerunRun } = await gql<{ rerunRun: { id: string } }>(
    request,
    "mutation ($id: ID!) { rerunRun(id: $id, fromFailure: true, params: { broken: false }) { id } }",
    { id: source },
  );
  await expect.poll(async () => (await runState(request, rerunRun.id)).status, { timeout: 60_000 }).toBe("SUCCEEDED");

  await login(page);
  await page.goto(`/runs/${rerunRun.id}`);
  await page.locator('[data-node-key="load"]').first().waitFor();
  await shots(page, "run");
  await page.locator('[data-testid="run-graph"] [data-node-key="clean"]').click();
  await page.getByTestId("node-drawer").waitFor();
  await shots(page, "drawer");
  await page.keyboard.press("Escape");
  await page.locator('[data-group="sweep"]').click();
  await shots(page, "group");
  // Close-ups of the graph (reused nodes, the expanded group's striped cells).
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(300);
    await page.locator('[data-group="sweep"]').screenshot({ path: `${DIR}/rerun-closeup-group-${scheme}.png` });
    await page.locator('[data-testid="run-graph"] [data-node-key="clean"]').screenshot({
      path: `${DIR}/rerun-closeup-node-${scheme}.png`,
      scale: "device",
    });
  }
  await page.emulateMedia({ colorScheme: "light" });

  await page.goto(`/runs/${source}`);
  await shots(page, "source");

  await page.goto("/?trigger=RERUN");
  await shots(page, "list-filtered");
  await page.goto("/");
  await shots(page, "list");
});
