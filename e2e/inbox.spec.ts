import { expect, test } from "@playwright/test";
import { expectNotReloaded, gql, login, markPage, screenshots } from "./shell-fixtures";

type Node = {
  key: string;
  status: string;
  output: unknown;
  gate: { decision: { decision: string; feedback: string } };
};

async function gateNode(request: Parameters<typeof gql>[0], runId: string) {
  const { run } = await gql<{ run: { status: string; nodes: Node[] } }>(
    request,
    "query ($id: ID!) { run(id: $id) { status nodes { key status output gate { decision { decision feedback } } } } }",
    { id: runId },
  );
  return run.nodes.find((n) => n.key === "approve")!;
}

async function submitHelloGate(request: Parameters<typeof gql>[0], label: string) {
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    'mutation ($l: String) { submitRun(input: { pipeline: "hello-gate", label: $l }) { id } }',
    { l: label },
  );
  return submitRun.id;
}

test.describe("inbox", () => {
  test("a waiting gate appears live, renders its markdown and value, and is approved in place", async ({
    page,
    request,
  }) => {
    await login(page);
    await page.getByRole("link", { name: /^Inbox/ }).click();
    await expect(page).toHaveURL(/\/inbox$/);
    await markPage(page);

    const runId = await submitHelloGate(request, "inbox approve");
    const card = page.getByTestId("gate-card").filter({ hasText: "inbox approve" });
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(card.getByRole("heading", { name: "Send this greeting?" })).toBeVisible();
    await expect(card.locator("strong", { hasText: "modify" })).toBeVisible(); // markdown, as elements
    await expect(card.getByRole("region", { name: /Value presented/ })).toContainText('"message"');
    await expect(page.getByTestId("inbox-count")).toBeVisible();
    await screenshots(page, "inbox");

    await card.getByLabel(/^Feedback/).fill("ship it");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByText(/Approved “Send this greeting\?”/)).toBeVisible();
    await expectNotReloaded(page);

    await expect.poll(async () => (await gateNode(request, runId)).status).toBe("SUCCEEDED");
    expect((await gateNode(request, runId)).gate.decision).toMatchObject({ decision: "APPROVE", feedback: "ship it" });
  });

  test("modify sends a JSON patch that becomes the gate's output; reject fails the gate", async ({ page, request }) => {
    const modifyRun = await submitHelloGate(request, "inbox modify");
    const rejectRun = await submitHelloGate(request, "inbox reject");
    await login(page);
    await page.goto("/inbox");

    const modify = page.getByTestId("gate-card").filter({ hasText: "inbox modify" });
    await expect(modify).toBeVisible({ timeout: 20_000 });
    await modify.getByRole("button", { name: "Modify…" }).click();
    await modify.getByLabel(/^Patch/).fill('{ "message": "edited by a human" }');
    await modify.getByRole("button", { name: "Submit modification" }).click();
    await expect(modify).toHaveCount(0);

    const reject = page.getByTestId("gate-card").filter({ hasText: "inbox reject" });
    await reject.getByLabel(/^Feedback/).fill("not today");
    await reject.getByRole("button", { name: "Reject" }).click();
    await expect(reject).toHaveCount(0);

    await expect
      .poll(async () => (await gateNode(request, modifyRun)).output)
      .toEqual({ message: "edited by a human" });
    await expect.poll(async () => (await gateNode(request, rejectRun)).status).toBe("FAILED");
  });
});
