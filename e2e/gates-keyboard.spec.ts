import { expect, type Page, test } from "@playwright/test";
import { gql, login, screenshots, submitSpec } from "./shell-fixtures";

/** A gate presenting an array of objects (a table), after a short sleep. */
const TABLE_GATE = `name: gate-table
nodes:
  - id: rows
    kind: transform
    with:
      expression: '[{"model": "atlas-1", "score": 0.91, "n": 3}, {"model": "borealis-2", "score": 0.5, "note": "new"}]'
  - id: review
    kind: gate
    needs: [rows]
    with: { title: "Ship these rows?", show: "inputs.rows" }
`;

async function waitingRun(request: Parameters<typeof gql>[0], label: string): Promise<string> {
  const id = await submitSpec(request, TABLE_GATE, label);
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
  return id;
}

/** Press Tab until `target` has focus (at most `max` times): how a keyboard user gets there. */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))) return;
  }
  throw new Error("could not reach the element with Tab");
}

/** The focused element draws a visible ring (an outline or a box-shadow ring). */
async function expectFocusRing(page: Page) {
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return {
      outline: s.outlineStyle !== "none" && Number.parseFloat(s.outlineWidth) > 0,
      shadow: s.boxShadow !== "none",
    };
  });
  expect(ring.outline || ring.shadow).toBe(true);
}

test.describe("gates", () => {
  test("a gate presenting rows shows them as a table, with the JSON one click away", async ({ page, request }) => {
    const id = await waitingRun(request, "gate table");
    await login(page);
    await page.goto(`/runs/${id}`);
    await page.locator('[data-node-key="review"]').first().click();
    const table = page.getByRole("dialog").getByTestId("gate-table");
    await expect(table).toBeVisible();
    // Columns in first-seen key order (as stored: PostgreSQL's jsonb orders an object's keys).
    await expect(table.locator("thead th")).toHaveText(["n", "model", "score", "note"]);
    await expect(table.locator("tbody tr")).toHaveCount(2);
    await expect(table.locator("tbody tr").first()).toContainText("0.9100");
    await expect(table.locator("tbody tr").nth(1).locator("td").first()).toHaveText("—");
    await screenshots(page, "gate-table");
    await page.getByRole("dialog").getByRole("button", { name: "JSON", exact: true }).click();
    await expect(page.getByRole("dialog").getByRole("region", { name: "What the gate presents" })).toContainText(
      '"borealis-2"',
    );

    // The inbox shows the same table.
    await page.goto("/inbox");
    const card = page.getByTestId("gate-card").filter({ hasText: "gate table" });
    await expect(card.getByTestId("gate-table")).toBeVisible();
  });

  test("a gate can be approved with the keyboard alone, and the run's completion is announced", async ({
    page,
    request,
  }) => {
    const id = await waitingRun(request, "keyboard approval");
    await login(page);
    await page.goto(`/runs/${id}`);
    await expect(page.locator('[data-node-key="review"]').first()).toBeVisible();
    // Tab to the gate's node on the graph, open it with Enter.
    const node = page.locator('.react-flow__node[data-id="review"]');
    await tabTo(page, node);
    await expectFocusRing(page);
    await page.keyboard.press("Enter");
    const drawer = page.getByRole("dialog");
    await expect(drawer).toBeVisible();
    // Focus moved into the drawer; Tab on to Approve and press it.
    const approve = drawer.getByRole("button", { name: "Approve" });
    await tabTo(page, approve, 30);
    await expectFocusRing(page);
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("run-console")).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 20_000 });
    await expect(page.getByTestId("run-announcer")).toHaveText(/Run succeeded/);
  });

  test("a newly waiting gate is announced on the run page", async ({ page, request }) => {
    const spec = `name: gate-announce\nnodes:\n  - id: wait\n    kind: sleep\n    with: { ms: 1500 }\n  - id: approve\n    kind: gate\n    needs: [wait]\n    with: { title: "Go on?" }\n`;
    await login(page);
    const id = await submitSpec(request, spec, "announce");
    await page.goto(`/runs/${id}`);
    await expect(page.getByTestId("run-announcer")).toHaveText("Gate “Go on?” (approve) is waiting for a decision.", {
      timeout: 20_000,
    });
  });

  test("on a phone the run's nodes read as a list that opens the drawer", async ({ page, request }) => {
    const id = await waitingRun(request, "phone list");
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page);
    await page.goto(`/runs/${id}`);
    const list = page.getByTestId("node-list");
    await expect(list).toBeVisible();
    await expect(list.getByRole("button", { name: /review/ })).toContainText("needs a decision");
    await page.screenshot({ path: "test-results/run-node-list-390x844.png" });
    await list.getByRole("button", { name: /review/ }).click();
    await expect(page.getByRole("dialog").getByTestId("gate-table")).toBeVisible();
    await page.getByRole("dialog").getByRole("button", { name: /close/i }).first().click();
    await page.getByRole("button", { name: "Graph", exact: true }).click();
    await expect(page.locator('.react-flow__node[data-id="review"]')).toBeVisible();
    await page.screenshot({ path: "test-results/run-graph-390x844.png" });
  });
});

/** Tab through a page; every element that takes focus must show where focus is. */
async function focusRingsAlongTabOrder(page: Page, stops = 45) {
  const missing: string[] = [];
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press("Tab");
    const r = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const outlined = (s: CSSStyleDeclaration) => s.outlineStyle !== "none" && Number.parseFloat(s.outlineWidth) > 0;
      // Its own outline, one drawn by ::after (row-wide links), or a focus-within ring close
      // above (the spec editor's frame). Resting shadows (shadow-sm) do not count.
      const ringed = (e: Element, cls: RegExp) =>
        cls.test(e.className.toString()) && getComputedStyle(e).boxShadow !== "none";
      // Form controls draw a focus ring as a shadow (`focus:ring-2`).
      let ok =
        outlined(getComputedStyle(el)) ||
        outlined(getComputedStyle(el, "::after")) ||
        ringed(el, /focus(-visible)?:ring/);
      for (let p = el.parentElement, d = 0; !ok && p && d < 3; p = p.parentElement, d++) {
        ok = ringed(p, /focus-within:ring/);
      }
      const text = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 30);
      return { ok, name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} "${text}"` };
    });
    if (r && !r.ok) missing.push(r.name);
  }
  return missing;
}

test("every control reached with Tab shows a focus ring (runs list, run page, new run, compare)", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const id = await waitingRun(request, "focus rings");
  await login(page);
  for (const path of ["/", `/runs/${id}`, "/runs/new", "/inbox", `/pipelines/gate-table/compare?runs=${id}`]) {
    await page.goto(path);
    await page.waitForLoadState("load");
    await page.waitForTimeout(500);
    expect(await focusRingsAlongTabOrder(page), path).toEqual([]);
  }
});

test("the run page's console tabs move with the arrow keys, Home and End", async ({ page, request }) => {
  const id = await waitingRun(request, "console tabs keys");
  await login(page);
  await page.goto(`/runs/${id}`);
  const tabs = page.getByRole("tablist", { name: "Run details" });
  const logs = tabs.getByRole("tab", { name: /^Logs/ });
  await logs.focus();
  await page.keyboard.press("ArrowRight");
  await expect(tabs.getByRole("tab", { name: "Timeline" })).toBeFocused();
  await expect(tabs.getByRole("tab", { name: "Timeline" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("End");
  await expect(tabs.getByRole("tab", { name: /^Spec/ })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowRight"); // wraps
  await expect(logs).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowLeft");
  await expect(tabs.getByRole("tab", { name: /^Spec/ })).toBeFocused();
  await page.keyboard.press("Home");
  await expect(logs).toBeFocused();
  // One tab stop for the whole list (roving tabindex).
  await expect(tabs.locator('[role="tab"][tabindex="0"]')).toHaveCount(1);
});
