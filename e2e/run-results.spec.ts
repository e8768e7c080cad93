import { expect, test } from "@playwright/test";
import { expectRunStatus, gql, signIn, submitRun } from "./run-console-support";

/**
 * The results tab accumulates: each RESULTS event carries only its new rows, the console
 * appends them at their offset (live), and a reload renders the whole table from the
 * server's snapshot, then keeps appending.
 */
test.beforeEach(async ({ context, baseURL }) => {
  await signIn(context, baseURL!);
});

test("the results table grows row by row from live events and survives a reload", async ({ page, request }) => {
  test.setTimeout(120_000);
  const queue = `e2e-results-${Date.now()}`;
  const id = await submitRun(request, {
    spec: { name: "e2e-results", nodes: [{ id: "rows", kind: "external", with: { queue, leaseMs: 600_000 } }] },
  });
  // Claim the node as its worker (the web session's admin token is an operator too).
  let lease: { nodeId: string; epoch: number } | null = null;
  await expect
    .poll(
      async () => {
        lease = (
          await gql<{ claimNode: { nodeId: string; epoch: number } | null }>(
            request,
            "mutation($q: String!) { claimNode(queue: $q) { nodeId epoch } }",
            { q: queue },
          )
        ).claimNode;
        return lease;
      },
      { timeout: 15_000 },
    )
    .not.toBeNull();
  const { nodeId, epoch } = lease as unknown as { nodeId: string; epoch: number };
  const report = (rows: Record<string, unknown>[]) =>
    gql(request, "mutation($input: NodeReportInput!) { reportNode(input: $input) }", {
      input: { nodeId, epoch, results: rows },
    });

  await page.goto(`/runs/${id}`);
  await expectRunStatus(page, "RUNNING");
  await page.getByRole("tab", { name: /Results/ }).click();
  const table = page.getByTestId("results-table");
  const cells = (c: string) => table.locator(`tbody td[data-column="${c}"]`);

  await report([
    { model: "a", score: 0.5 },
    { model: "b", score: 0.25 },
  ]);
  await expect(cells("model")).toHaveText(["a", "b"]);
  await report([{ model: "c", score: 0.75, note: "late column" }]);
  // Appended, not replaced: three rows, and the new column.
  await expect(cells("model")).toHaveText(["a", "b", "c"]);
  await expect(table.locator("thead th")).toHaveText(["#", /model/, /score/, /note/]);

  // The server snapshot has the whole table; the next event appends after it.
  await page.reload();
  await page.getByRole("tab", { name: /Results/ }).click();
  await expect(cells("model")).toHaveText(["a", "b", "c"]);
  await report([{ model: "d", score: 1 }]);
  await expect(cells("model")).toHaveText(["a", "b", "c", "d"]);

  await gql(request, "mutation($n: ID!, $e: Int!) { completeNode(nodeId: $n, epoch: $e) { status } }", {
    n: nodeId,
    e: epoch,
  });
  await expectRunStatus(page, "SUCCEEDED");
  await expect(cells("model")).toHaveText(["a", "b", "c", "d"]);
});
