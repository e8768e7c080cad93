import { expect, test } from "@playwright/test";
import {
  expectRunStatus,
  gql,
  listedSeqs,
  nodeBox,
  range,
  resizeTo,
  runState,
  shoot,
  signIn,
  submitRun,
} from "./run-console-support";

/** A run that waits, asks a human, then writes one result row. */
const GATE_SPEC = {
  name: "e2e-gate",
  params: { greeting: "hello" },
  nodes: [
    { id: "warmup", kind: "sleep", with: { ms: 3000 } },
    { id: "compose", kind: "transform", needs: ["warmup"], with: { expression: '{ "message": params.greeting }' } },
    {
      id: "approve",
      kind: "gate",
      needs: ["compose"],
      with: { title: "Send this greeting?", description: "Approve, modify or reject.", show: "inputs.compose" },
    },
    {
      id: "send",
      kind: "transform",
      needs: ["approve"],
      with: { expression: '{ "sent": inputs.approve.message, "length": $length(inputs.approve.message) }' },
      results: true,
    },
  ],
};

/**
 * Ten children at 0.05 each behind a warm-up, then a leaderboard with ints, floats and tiny
 * floats. A child lasts 1.2 s so that each cost step reaches the page as its own render even
 * on a loaded machine (at 0.5 s, two steps could land in one batch).
 */
const BUDGET_SPEC = {
  name: "e2e-budget",
  nodes: [
    { id: "warmup", kind: "sleep", with: { ms: 2500 } },
    { id: "items", kind: "transform", needs: ["warmup"], with: { expression: "[1..10]" } },
    {
      id: "score",
      kind: "map",
      needs: ["items"],
      with: { over: "inputs.items", concurrency: 1, node: { kind: "sleep", with: { ms: 1200 }, cost: 0.05 } },
    },
    {
      id: "board",
      kind: "transform",
      needs: ["score", "items"],
      with: {
        expression:
          '$map(inputs.items, function($v) { { "model": "m-" & $string($v), "score": ($v * 37 % 10) / 10 + 0.01234, "rank": $v, "tiny": $v * 0.00001 } })',
      },
      results: true,
    },
  ],
};

const CHAIN_SPEC = {
  name: "e2e-chain",
  nodes: ["a", "b", "c", "d", "e"].map((id, i, all) => ({
    id,
    kind: "sleep",
    with: { ms: 3000 },
    ...(i > 0 ? { needs: [all[i - 1]] } : {}),
  })),
};

test.beforeEach(async ({ context, baseURL }) => {
  await signIn(context, baseURL!);
});

test("nodes change live on the graph; a gate is approved from the drawer; the run is promoted", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const id = await submitRun(request, { spec: GATE_SPEC, label: "e2e gate" });
  await page.goto(`/runs/${id}`);
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });

  // The gate opens (live, or already in the snapshot when the page was slow to load)…
  await expect(nodeBox(page, "warmup")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 20_000 });
  await expect(nodeBox(page, "approve")).toHaveAttribute("data-status", "WAITING", { timeout: 20_000 });
  await expect(nodeBox(page, "send")).toHaveAttribute("data-status", "PENDING");
  await expectRunStatus(page, "RUNNING");

  await nodeBox(page, "approve").click();
  const drawer = page.getByTestId("node-drawer");
  await expect(drawer).toHaveAttribute("data-node-key", "approve");
  await expect(drawer.getByText("Send this greeting?")).toBeVisible();
  await drawer.getByLabel(/Feedback/).fill("ship it");
  await shoot(page, "gate-1440", false);
  await resizeTo(page, 390, 844);
  await shoot(page, "gate-390", false);
  await resizeTo(page, 1440, 900);

  await drawer.getByRole("button", { name: "Approve" }).click();
  const decision = drawer.getByTestId("gate-decision");
  await expect(decision).toHaveAttribute("data-decision", "APPROVE");
  await expect(decision).toContainText("ship it");
  await expect(drawer.getByTestId("gate-panel").getByRole("button", { name: "Approve" })).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);

  // …and everything after the decision can only have arrived live, on this same document.
  await expect(nodeBox(page, "approve")).toHaveAttribute("data-status", "SUCCEEDED");
  await expect(nodeBox(page, "send")).toHaveAttribute("data-status", "SUCCEEDED");
  await expectRunStatus(page, "SUCCEEDED");
  await page.getByRole("tab", { name: /Results/ }).click();
  await expect(page.getByTestId("results-table")).toContainText("hello");

  // Promote: a new pipeline version with the run's spec.
  const name = `e2e-promoted-${Date.now()}`;
  const form = page.getByTestId("promote-form");
  await form.getByLabel("Pipeline name").fill(name);
  await form.getByRole("button", { name: "Promote" }).click();
  const promoted = page.getByTestId("promoted");
  await expect(promoted).toContainText(`${name} v1`);
  const { pipeline } = await gql<{ pipeline: { version: number; checksum: string } }>(
    request,
    "query P($name: String!) { pipeline(name: $name) { version checksum } }",
    { name },
  );
  expect(pipeline.version).toBe(1);
  await expect(promoted.getByTestId("promoted-checksum")).toHaveText(pipeline.checksum);
  await expect(promoted.getByRole("link", { name: `${name} v1` })).toHaveAttribute(
    "href",
    `/pipelines/${encodeURIComponent(name)}`,
  );

  await shoot(page, "finished-1440");
  await resizeTo(page, 390, 844);
  await shoot(page, "finished-390");
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
});

test("cost rises, the run pauses at its budget, the budget is raised, it resumes and finishes; the leaderboard sorts", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const id = await submitRun(request, { spec: BUDGET_SPEC, budget: 0.2, label: "e2e budget" });
  await page.goto(`/runs/${id}`);
  const spent = page.getByTestId("cost-spent");
  await expect(spent).toHaveText("0.00");
  await expect(page.getByTestId("cost-ticker")).toHaveAttribute("data-level", "ok");
  // Every value the ticker shows, as it shows it.
  await spent.evaluate((el) => {
    const seen = [el.textContent];
    (window as unknown as { __costs: (string | null)[] }).__costs = seen;
    new MutationObserver(() => seen.push(el.textContent)).observe(el, {
      characterData: true,
      subtree: true,
      childList: true,
    });
  });

  // 4 × 0.05 fills the budget; the 5th child would exceed it.
  await expectRunStatus(page, "PAUSED");
  await expect(spent).toHaveText("0.20");
  const costs = await page.evaluate(() => (window as unknown as { __costs: string[] }).__costs);
  // Watched from (about) the start: the first tick may land between the check above and
  // the observer, on a slow machine.
  expect(Number(costs[0])).toBeLessThanOrEqual(0.05);
  expect(costs.at(-1)).toBe("0.20");
  expect(new Set(costs).size).toBeGreaterThanOrEqual(3); // it ticked up through intermediate values
  expect(costs.map(Number)).toEqual([...costs.map(Number)].sort((a, b) => a - b));
  await expect(page.getByTestId("cost-ticker")).toHaveAttribute("data-level", "danger");
  const banner = page.getByTestId("budget-banner");
  await expect(banner).toContainText("the budget is reached");
  await expect(banner).toContainText(/score\[\d+\]/);
  await shoot(page, "budget-paused-1440");

  const resume = banner.getByRole("button", { name: "Resume" });
  await expect(resume).toBeDisabled();
  await banner.getByLabel("Budget").fill("1");
  await banner.getByRole("button", { name: "Save budget" }).click();
  await expect(page.getByTestId("cost-ticker")).toContainText("/ 1.00");
  await expect(resume).toBeEnabled();
  await resume.click();
  await expectRunStatus(page, "RUNNING");
  await expect(banner).toHaveCount(0);
  await shoot(page, "budget-running-1440");

  await expectRunStatus(page, "SUCCEEDED");
  await expect(spent).toHaveText("0.50");
  await expect(page.getByTestId("cost-ticker")).toHaveAttribute("data-level", "ok");

  // Leaderboard: columns as emitted; numbers formatted and right-aligned; click to sort.
  await page.getByRole("tab", { name: /Results/ }).click();
  const table = page.getByTestId("results-table");
  await expect(table.locator("thead th")).toHaveText(["#", /model/, /score/, /rank/, /tiny/]);
  const column = (c: string) => table.locator(`tbody td[data-column="${c}"]`).allTextContents();
  expect(await column("rank")).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
  expect((await column("score"))[0]).toBe("0.7123");
  expect((await column("tiny"))[0]).toBe("1.00e-5");
  expect((await column("tiny"))[9]).toBe("0.0001");
  await expect(table.locator('tbody td[data-column="score"]').first()).toHaveCSS("text-align", "right");
  await expect(table.locator('tbody td[data-column="model"]').first()).toHaveCSS("text-align", "left");

  const header = (c: string) => table.getByRole("button", { name: c });
  await header("score").click(); // numbers sort descending first
  const desc = (await column("score")).map(Number);
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  await header("score").click();
  const asc = (await column("score")).map(Number);
  expect(asc).toEqual([...asc].sort((a, b) => a - b));
  await header("model").click(); // strings compare as strings: m-10 before m-2
  expect((await column("model")).slice(0, 3)).toEqual(["m-1", "m-10", "m-2"]);
  await header("rank").click();
  expect(await column("rank")).toEqual(["10", "9", "8", "7", "6", "5", "4", "3", "2", "1"]);
  await shoot(page, "leaderboard-1440");
});

test("pause, resume and cancel from the header", async ({ page, request }) => {
  test.setTimeout(90_000);
  // 6 s a node: on a loaded machine the page can take most of a 3 s chain to show its first
  // RUNNING node, and Pause then found the run already finished.
  const slow = { ...CHAIN_SPEC, nodes: CHAIN_SPEC.nodes.map((n) => ({ ...n, with: { ms: 6_000 } })) };
  const id = await submitRun(request, { spec: slow, label: "e2e control" });
  await page.goto(`/runs/${id}`);
  const graph = page.getByTestId("run-graph");
  const running = graph.locator('[data-status="RUNNING"]');
  const succeeded = graph.locator('[data-status="SUCCEEDED"]');
  await expect(running).toHaveCount(1, { timeout: 15_000 });

  await page.getByRole("button", { name: "Pause" }).click();
  await expectRunStatus(page, "PAUSED");
  await expect(page.getByTestId("run-status")).toContainText("operator");
  await expect(page.getByTestId("budget-banner")).toHaveCount(0);
  // Paused: a node already running finishes, and nothing new starts.
  await expect(running).toHaveCount(0, { timeout: 10_000 });
  const done = await succeeded.count();
  expect(done).toBeLessThan(CHAIN_SPEC.nodes.length);
  await page.waitForTimeout(1_500);
  await expect(running).toHaveCount(0);
  await expect(succeeded).toHaveCount(done);

  await page.getByRole("button", { name: "Resume" }).click();
  await expectRunStatus(page, "RUNNING");
  await expect(running).toHaveCount(1, { timeout: 10_000 });
  const next = (await running.getAttribute("data-node-key"))!;

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("Cancel this run?")).toBeVisible();
  await page.getByRole("button", { name: "Keep running" }).click();
  await expectRunStatus(page, "RUNNING");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Yes, cancel" }).click();
  await expectRunStatus(page, "CANCELLED");
  // The chain reads: finished nodes, then the cancelled rest (the one running was cancelled).
  await expect(nodeBox(page, "e")).toHaveAttribute("data-status", "CANCELLED");
  const statuses: string[] = [];
  for (const n of CHAIN_SPEC.nodes) statuses.push((await nodeBox(page, n.id).getAttribute("data-status"))!);
  expect(statuses.join(" ")).toMatch(/^(SUCCEEDED )*CANCELLED( CANCELLED)*$/);
  expect(statuses.indexOf("CANCELLED")).toBeGreaterThanOrEqual(CHAIN_SPEC.nodes.findIndex((n) => n.id === next));
  await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);

  // Keyboard: a graph node takes focus and opens its drawer with Enter; Escape closes it.
  await page.locator('.react-flow__node[data-id="a"]').focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("node-drawer")).toHaveAttribute("data-node-key", "a");
  await expect(page.getByTestId("node-drawer")).toContainText("succeeded");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("node-drawer")).toHaveCount(0);
  expect((await runState(request, id)).sealed).toBe(true);
  await shoot(page, "cancelled-1440");
});

test("with WebSocket blocked the console goes live over SSE: every event, in order, once", async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  await page.routeWebSocket(/\/api\/graphql/, (ws) => ws.close());
  const id = await submitRun(request, { spec: CHAIN_SPEC, label: "e2e over sse" });
  await page.goto(`/runs/${id}`);
  const indicator = page.getByTestId("run-console").getByTestId("connection-indicator");
  await expect(indicator).toHaveAttribute("data-transport", "sse", { timeout: 20_000 });
  await expect(nodeBox(page, "e")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 30_000 });
  await expectRunStatus(page, "SUCCEEDED");
  await expect(indicator).toHaveAttribute("data-state", "completed");
  const { lastSeq } = await runState(request, id);
  await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
  expect(await listedSeqs(page)).toEqual(range(lastSeq));
});
