import { expect, test } from "@playwright/test";
import { expectRunStatus, nodeBox, runState } from "./run-console-support";
import { gql, login } from "./shell-fixtures";

/** Two steps, a review, a release: rejecting the review fails the run after two successes. */
const RELEASE = {
  name: "e2e-release",
  nodes: [
    { id: "fetch", kind: "transform", with: { expression: "[1, 2, 3]" } },
    { id: "build", kind: "transform", needs: ["fetch"], with: { expression: "$sum(inputs.fetch)" } },
    { id: "review", kind: "gate", needs: ["build"], with: { title: "Release build?", show: "inputs.build" } },
    { id: "release", kind: "transform", needs: ["review"], with: { expression: "'released ' & inputs.review" } },
  ],
};

async function failedRelease(request: Parameters<typeof gql>[0], label: string): Promise<string> {
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
    { input: { spec: RELEASE, label } },
  );
  const id = submitRun.id;
  await expect
    .poll(
      async () =>
        (
          await gql<{ run: { nodes: { key: string; status: string }[] } }>(
            request,
            "query ($id: ID!) { run(id: $id) { nodes { key status } } }",
            { id },
          )
        ).run.nodes.find((n) => n.key === "review")?.status,
      { timeout: 30_000 },
    )
    .toBe("WAITING");
  await gql(
    request,
    `mutation ($id: ID!) { humanDecision(input: { runId: $id, nodeKey: "review", decision: REJECT, feedback: "tests are red" }) { status } }`,
    { id },
  );
  await expect.poll(async () => (await runState(request, id)).status, { timeout: 30_000 }).toBe("FAILED");
  return id;
}

test("Re-run from failure: lands on the new run, reused nodes marked, linked both ways", async ({ page, request }) => {
  const source = await failedRelease(request, "release 1.4");
  await login(page);
  await page.goto(`/runs/${source}`);
  await expectRunStatus(page, "FAILED");

  // Only a failed or cancelled run offers "from failure"; every run offers a plain re-run.
  await expect(page.getByRole("button", { name: "Re-run", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Re-run from failure" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${source}$`), { timeout: 15_000 });
  const rerun = /\/runs\/([0-9a-f-]{36})$/.exec(page.url())![1];
  expect(rerun).not.toBe(source);

  // The new run: linked back to its source, the succeeded nodes reused (not run again),
  // the gate waiting for a decision again.
  const lineage = page.getByTestId("run-lineage");
  await expect(lineage.getByTestId("rerun-of")).toHaveAttribute("data-run-id", source);
  await expect(lineage).toContainText("Re-run of");
  await expect(page.locator('[data-trigger="RERUN"]').first()).toBeVisible();
  for (const key of ["fetch", "build"]) {
    await expect(nodeBox(page, key)).toHaveAttribute("data-reused", "true");
    await expect(nodeBox(page, key)).toContainText("reused");
  }
  await expect(nodeBox(page, "review")).toHaveAttribute("data-status", "WAITING", { timeout: 30_000 });
  await expect(nodeBox(page, "review")).not.toHaveAttribute("data-reused", "true");
  await expect(page.getByText(/2 reused/)).toBeVisible();

  // The drawer says where a reused node comes from, and links there.
  await nodeBox(page, "build").click();
  const drawer = page.getByTestId("node-drawer");
  await expect(drawer.getByTestId("node-reused")).toContainText("Reused from");
  await expect(drawer.getByTestId("node-reused").getByRole("link")).toHaveAttribute("href", `/runs/${source}`);
  await drawer.getByRole("button", { name: "Close node details" }).click();

  // The source run lists its re-run; following the link back works by keyboard too.
  await lineage.getByTestId("rerun-of").getByRole("link").focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/runs/${source}$`));
  await expect(page.getByTestId("run-lineage").locator(`[data-testid="rerun"][data-run-id="${rerun}"]`)).toBeVisible();

  // A plain re-run of the re-run: everything runs again, nothing reused.
  await page.goto(`/runs/${rerun}`);
  await expect(page.getByRole("button", { name: "Re-run from failure" })).toHaveCount(0); // it is running
  await page.getByRole("button", { name: "Re-run", exact: true }).click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${rerun}$`), { timeout: 15_000 });
  await expect(nodeBox(page, "fetch")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 30_000 });
  await expect(page.locator("[data-reused]")).toHaveCount(0);
});

test("runs list: the trigger filter lives in the URL, rows show their trigger", async ({ page, request }) => {
  const source = await failedRelease(request, "release 1.5");
  const { rerunRun } = await gql<{ rerunRun: { id: string } }>(
    request,
    "mutation ($id: ID!) { rerunRun(id: $id, fromFailure: true) { id } }",
    { id: source },
  );
  await login(page);
  await page.goto("/");
  const row = (id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
  await expect(row(rerunRun.id).locator('[data-trigger="RERUN"]')).toBeVisible();
  await expect(row(source).locator('[data-trigger="API"]')).toBeVisible();

  await page.getByRole("combobox", { name: "Trigger" }).selectOption("RERUN");
  await expect(page).toHaveURL(/[?&]trigger=RERUN/);
  await expect(row(rerunRun.id)).toBeVisible();
  await expect(row(source)).toHaveCount(0);
  await expect(page.locator('[data-testid="run-row"] [data-trigger]:not([data-trigger="RERUN"])')).toHaveCount(0);

  // Reload: the filter comes back from the URL.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Trigger" })).toHaveValue("RERUN");
  await expect(row(source)).toHaveCount(0);
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(page).not.toHaveURL(/trigger=/);
  await expect(row(source)).toBeVisible();
});
