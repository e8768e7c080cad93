import { expect, test } from "@playwright/test";
import { gql, login } from "./shell-fixtures";

test("at fit, node labels are whole and no node sits under the minimap", async ({ page, request }) => {
  test.setTimeout(90_000);
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
    { input: { pipeline: "scoring-fanout", budget: 10, label: "graph polish" } },
  );
  await expect
    .poll(
      async () =>
        (
          await gql<{ run: { status: string } }>(request, "query ($id: ID!) { run(id: $id) { status } }", {
            id: submitRun.id,
          })
        ).run.status,
      { timeout: 45_000 },
    )
    .toBe("SUCCEEDED");
  await login(page);
  await page.goto(`/runs/${submitRun.id}`);
  await expect(page.locator('.react-flow__node[data-id="candidates"]')).toBeVisible();
  const minimap = page.locator(".react-flow__minimap");
  await expect(minimap).toBeVisible();

  // The fit is animated: wait until the view settles, then no node box meets the minimap's.
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const m = document.querySelector(".react-flow__minimap")!.getBoundingClientRect();
          const pane = document.querySelector(".react-flow")!.getBoundingClientRect();
          return [...document.querySelectorAll(".react-flow__node")].filter((n) => {
            const r = n.getBoundingClientRect();
            const inPane = r.right > pane.left && r.left < pane.right && r.bottom > pane.top && r.top < pane.bottom;
            const overlaps = r.right > m.left && r.left < m.right && r.bottom > m.top && r.top < m.bottom;
            const outside = r.right > pane.right + 1 || r.bottom > pane.bottom + 1 || r.left < pane.left - 1;
            return !inPane || overlaps || outside;
          }).length;
        }),
      { timeout: 15_000 },
    )
    .toBe(0);

  // Labels are not cut ("candida…"): each label's text fits its box at the default zoom.
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="node-label"]')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent),
  );
  expect(cut).toEqual([]);
  await expect(page.locator('[data-node-key="candidates"]')).toHaveAttribute("title", "candidates");
});
