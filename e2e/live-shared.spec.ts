import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { shootIndicator } from "./live-support";
import { gql, listedSeqs, nodeBox, range, runState, signIn, submitRun, TOKEN } from "./run-console-support";

/**
 * One live connection per browser (issue 14): tabs of one origin elect a leader (Web Locks);
 * it holds the WebSocket and relays every other tab's events over a BroadcastChannel. The
 * server counts the WebSocket connections; each tab must still see its run's every event
 * once, in order, also across the leader tab closing.
 */

const TABS = 5;

/** Events, then a gate that holds the run until the test approves it (after the hand-over), then more events. */
const GATED_SPEC = (label: string) => ({
  name: `e2e-shared-${label}`,
  nodes: [
    { id: "warmup", kind: "sleep", with: { ms: 1000 } },
    { id: "hold", kind: "gate", needs: ["warmup"], with: { title: "Hold until the leader tab closed" } },
    { id: "after", kind: "sleep", needs: ["hold"], with: { ms: 1000 } },
    { id: "done", kind: "transform", needs: ["after"], with: { expression: '{ "ok": true }' } },
  ],
});

/** Open WebSocket connections as the server counts them (`signalbox_open_connections`). */
async function serverWebSockets(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  const line = text.split("\n").find((l) => l.startsWith('signalbox_open_connections{transport="ws"}'));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

const indicatorOf = (page: Page) => page.getByTestId("run-console").getByTestId("connection-indicator");

async function leaders(pages: Page[]): Promise<Page[]> {
  const shared = await Promise.all(pages.map((p) => indicatorOf(p).getAttribute("data-shared")));
  return pages.filter((_, i) => shared[i] === "false");
}

test("five tabs of different runs share one WebSocket; closing the leader hands over without a gap", async ({
  context,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await signIn(context, baseURL!);
  expect(await serverWebSockets(request)).toBe(0);
  const ids: string[] = [];
  for (let i = 0; i < TABS; i++) ids.push(await submitRun(request, { spec: GATED_SPEC(String(i)), label: `tab ${i}` }));

  const pages: Page[] = [];
  for (const id of ids) {
    const page = await context.newPage();
    await page.goto(`/runs/${id}`);
    await expect(indicatorOf(page)).toHaveAttribute("data-state", "live", { timeout: 20_000 });
    pages.push(page);
  }
  for (const page of pages) {
    await expect(indicatorOf(page)).toHaveAttribute("data-transport", "ws");
    await expect(nodeBox(page, "hold")).toHaveAttribute("data-status", "WAITING", { timeout: 20_000 });
  }

  // One leader, four tabs that say "shared", and one WebSocket on the server.
  await expect.poll(async () => (await leaders(pages)).length).toBe(1);
  const [leader] = await leaders(pages);
  for (const page of pages) if (page !== leader) await expect(indicatorOf(page)).toContainText("shared");
  await shootIndicator(pages.find((p) => p !== leader)!, "shared-run");
  await expect.poll(() => serverWebSockets(request)).toBe(1);

  // The leader goes while the runs wait at their gates: another tab takes over within a few seconds.
  const rest = pages.filter((p) => p !== leader);
  const restIds = ids.filter((_, i) => pages[i] !== leader);
  const closedAt = Date.now();
  await leader.close();
  await expect.poll(async () => (await leaders(rest)).length, { timeout: 5_000 }).toBe(1);
  const [next] = await leaders(rest);
  await expect(indicatorOf(next)).toHaveAttribute("data-state", "live", { timeout: 5_000 });
  const handOverMs = Date.now() - closedAt;
  console.log(`hand-over: a new leader live ${handOverMs} ms after the leader tab closed`);
  await expect.poll(() => serverWebSockets(request)).toBe(1);

  // The runs go on: every remaining tab shows its run's every event, once, in order.
  for (const id of restIds) {
    await gql(request, "mutation ($input: HumanDecisionInput!) { humanDecision(input: $input) { id } }", {
      input: { runId: id, nodeKey: "hold", decision: "APPROVE" },
    });
  }
  for (const [i, page] of rest.entries()) {
    await expect(page.getByTestId("run-console")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 40_000 });
    const { lastSeq } = await runState(request, restIds[i]);
    await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
    expect(await listedSeqs(page)).toEqual(range(lastSeq));
  }
  expect(await serverWebSockets(request)).toBe(1);
});
