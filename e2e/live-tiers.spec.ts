import { expect, type Page, test } from "@playwright/test";
import { startProxy, type TestProxy } from "../tests/integration/test-proxy";
import { shootIndicator } from "./live-support";
import { gql, listedSeqs, nodeBox, range, runState, signIn, submitRun } from "./run-console-support";
import { expectNotReloaded, markPage } from "./shell-fixtures";

/**
 * The live connection's tiers behind a real HTTP proxy (tests/integration/test-proxy.ts)
 * that refuses WebSocket upgrades and holds `text/event-stream` responses whole, like a
 * corporate gateway: the pages stay live by polling, then climb back to SSE and WebSocket
 * when the proxy lets them, without a reload, a gap or a duplicate.
 */

const CHAIN_SPEC = {
  name: "e2e-poll-chain",
  nodes: ["a", "b", "c", "d"].map((id, i, all) => ({
    id,
    kind: "sleep",
    with: { ms: 2500 },
    ...(i > 0 ? { needs: [all[i - 1]] } : {}),
  })),
};

/** Events before and after a gate; the gate holds the run while the test changes the network. */
const GATED_SPEC = {
  name: "e2e-climb",
  nodes: [
    { id: "warmup", kind: "sleep", with: { ms: 1500 } },
    { id: "hold", kind: "gate", needs: ["warmup"], with: { title: "Hold until the network changed" } },
    { id: "after", kind: "sleep", needs: ["hold"], with: { ms: 1500 } },
    { id: "done", kind: "transform", needs: ["after"], with: { expression: '{ "ok": true }' } },
  ],
};

let proxy: TestProxy;

test.beforeEach(async ({ context, baseURL }) => {
  proxy = await startProxy(baseURL!, { refuseUpgrades: true, bufferEventStreams: true });
  await signIn(context, proxy.url); // the session cookie is per host, not per port
});
test.afterEach(async () => {
  await proxy.close();
});

const indicatorOf = (page: Page) => page.getByTestId("run-console").getByTestId("connection-indicator");

test("WebSocket refused and SSE buffered: the run page and the runs list stay live by polling", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const id = await submitRun(request, { spec: CHAIN_SPEC, label: "e2e over polling" });
  await page.goto(`${proxy.url}/runs/${id}`);
  await markPage(page);
  const indicator = indicatorOf(page);
  await expect(indicator).toHaveAttribute("data-transport", "poll", { timeout: 25_000 });
  await expect(indicator).toContainText("poll");
  await expect(indicator).toHaveAttribute("data-state", "live");
  await shootIndicator(page, "poll-run");
  await expect(nodeBox(page, "d")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 40_000 });
  await expect(indicator).toHaveAttribute("data-state", "completed");
  const { lastSeq } = await runState(request, id);
  await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
  expect(await listedSeqs(page)).toEqual(range(lastSeq));
  expect(proxy.upgradesSeen).toBeGreaterThan(0); // it did try, and was refused
  expect(proxy.eventStreamsSeen).toBeGreaterThan(0);
  await expectNotReloaded(page);

  // The runs list: a new run appears and finishes in place, on the polling tier.
  await page.goto(`${proxy.url}/`);
  const listIndicator = page.getByTestId("connection-indicator").first();
  await expect(listIndicator).toHaveAttribute("data-transport", "poll", { timeout: 25_000 });
  await expect(listIndicator).toHaveAttribute("data-state", "live");
  await markPage(page);
  const next = await submitRun(request, {
    spec: { ...CHAIN_SPEC, nodes: CHAIN_SPEC.nodes.slice(0, 2) },
    label: "polled row",
  });
  const row = page.locator(`[data-testid="run-row"][data-run-id="${next}"]`);
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 20_000 });
  await expectNotReloaded(page);
});

test("the proxy stops buffering, then allows upgrades: the page climbs to SSE, then WebSocket, without a gap", async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const id = await submitRun(request, { spec: GATED_SPEC, label: "e2e climbing" });
  await page.goto(`${proxy.url}/runs/${id}`);
  await markPage(page);
  const indicator = indicatorOf(page);
  await expect(indicator).toHaveAttribute("data-transport", "poll", { timeout: 25_000 });
  await expect(nodeBox(page, "hold")).toHaveAttribute("data-status", "WAITING", { timeout: 20_000 });

  proxy.bufferEventStreams = false;
  await expect(indicator).toHaveAttribute("data-transport", "sse", { timeout: 45_000 });
  await expect(indicator).toHaveAttribute("data-state", "live");

  proxy.refuseUpgrades = false;
  await expect(indicator).toHaveAttribute("data-transport", "ws", { timeout: 45_000 });
  await expect(indicator).toHaveAttribute("data-state", "live");

  await gql(request, "mutation ($input: HumanDecisionInput!) { humanDecision(input: $input) { id } }", {
    input: { runId: id, nodeKey: "hold", decision: "APPROVE" },
  });
  await expect(page.getByTestId("run-console")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 30_000 });
  await expect(indicator).toHaveAttribute("data-state", "completed");
  const { lastSeq } = await runState(request, id);
  await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
  expect(await listedSeqs(page)).toEqual(range(lastSeq));
  await expectNotReloaded(page);
});
