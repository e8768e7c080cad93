import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, type Browser, expect, type Page, test } from "@playwright/test";
import { THEME_KEY } from "../app/components/shell/theme-script";
import { gql, login } from "./shell-fixtures";

/**
 * WCAG 2.1 A/AA on every page, light and dark, checked by axe-core. The data comes from a
 * seeded pipeline (hello-gate) run up to its gate, so the run page, inbox and lists have
 * rows, badges and forms to check rather than empty states.
 */

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SCHEMES = ["light", "dark"] as const;
type Scheme = (typeof SCHEMES)[number];

let gatedRunId: string | undefined;

/** One hello-gate run waiting at its gate, shared by every test in this file. */
async function gatedRun(request: APIRequestContext): Promise<string> {
  if (gatedRunId) return gatedRunId;
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    'mutation { submitRun(input: { pipeline: "hello-gate", label: "accessibility check" }) { id } }',
  );
  await expect
    .poll(
      async () => {
        const { run } = await gql<{ run: { nodes: { key: string; status: string }[] } }>(
          request,
          "query ($id: ID!) { run(id: $id) { nodes { key status } } }",
          { id: submitRun.id },
        );
        return run.nodes.find((n) => n.key === "approve")?.status;
      },
      { timeout: 30_000 },
    )
    .toBe("WAITING");
  gatedRunId = submitRun.id;
  return gatedRunId;
}

let comparedRunIds: string | undefined;

/** Two finished scoring-fanout runs with results, for the compare page (`a,b`). */
async function comparedRuns(request: APIRequestContext): Promise<string> {
  if (comparedRunIds) return comparedRunIds;
  const ids: string[] = [];
  for (const minScore of [0.3, 0.6]) {
    const { submitRun } = await gql<{ submitRun: { id: string } }>(
      request,
      "mutation ($input: SubmitRunInput!) { submitRun(input: $input) { id } }",
      { input: { pipeline: "scoring-fanout", params: { minScore }, budget: 10, label: `axe ${minScore}` } },
    );
    ids.push(submitRun.id);
  }
  for (const id of ids) {
    await expect
      .poll(
        async () =>
          (await gql<{ run: { status: string } }>(request, "query ($id: ID!) { run(id: $id) { status } }", { id })).run
            .status,
        { timeout: 45_000 },
      )
      .toBe("SUCCEEDED");
  }
  comparedRunIds = ids.join(",");
  return comparedRunIds;
}

let metricsRunId: string | undefined;

/** One finished command-metrics run (a loss curve to chart), shared like the gated run. */
async function metricsRun(request: APIRequestContext): Promise<string> {
  if (metricsRunId) return metricsRunId;
  const { submitRun } = await gql<{ submitRun: { id: string } }>(
    request,
    'mutation { submitRun(input: { pipeline: "command-metrics", label: "accessibility metrics" }) { id } }',
  );
  await expect
    .poll(
      async () =>
        (
          await gql<{ run: { status: string } }>(request, "query ($id: ID!) { run(id: $id) { status } }", {
            id: submitRun.id,
          })
        ).run.status,
      { timeout: 30_000 },
    )
    .toBe("SUCCEEDED");
  metricsRunId = submitRun.id;
  return metricsRunId;
}

/**
 * A page in the given scheme: the browser reports it (prefers-color-scheme) and the theme
 * toggle's stored choice (localStorage, read before first paint) says the same, so the
 * `dark` class on <html> really follows the scheme whatever the toggle was left at.
 */
async function pageIn(browser: Browser, scheme: Scheme): Promise<Page> {
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1440, height: 900 } });
  await context.addInitScript(
    ([key, value]) => {
      try {
        localStorage.setItem(key, value);
      } catch {}
    },
    [THEME_KEY, scheme] as const,
  );
  return context.newPage();
}

/** Hydrated and settled: a heading is shown, nothing is loading, fonts are in. */
async function settle(page: Page, scheme: Scheme) {
  await page.waitForLoadState("load");
  await expect(page.locator("h1").first()).toBeVisible();
  if (scheme === "dark") await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  else await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(500);
}

async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const report = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
  if (report.length) console.log(`axe violations on ${what}:\n${JSON.stringify(report, null, 2)}`);
  expect(report, `axe violations on ${what}`).toEqual([]);
}

const PAGES: {
  name: string;
  path: (runId: string, compared: string) => string;
  /** The run the page shows: the gated hello-gate run unless said. */
  run?: "metrics";
  ready?: (page: Page) => Promise<void>;
}[] = [
  { name: "home", path: () => "/" },
  { name: "new run", path: () => "/runs/new" },
  {
    name: "run",
    path: (id) => `/runs/${id}`,
    ready: async (page) => {
      await expect(page.getByText(/waiting/i).first()).toBeVisible();
    },
  },
  // The run page's Timeline and Metrics tabs (SPEC §12), on a finished command-metrics run.
  {
    name: "run, timeline tab",
    path: (id) => `/runs/${id}`,
    ready: async (page) => {
      await page.getByRole("tab", { name: "Timeline" }).click();
      await expect(page.getByTestId("timeline-row").first()).toBeVisible();
    },
  },
  {
    name: "run, metrics tab",
    run: "metrics",
    path: (id) => `/runs/${id}`,
    ready: async (page) => {
      await page.getByRole("tab", { name: "Metrics" }).click();
      await expect(page.getByTestId("metric-chart").first()).toBeVisible();
      await page.getByTestId("metric-chart").first().hover();
    },
  },
  { name: "pipelines", path: () => "/pipelines" },
  { name: "pipeline", path: () => "/pipelines/hello-gate" },
  {
    name: "compare",
    path: (_, compared) => `/pipelines/scoring-fanout/compare?runs=${compared}`,
    ready: async (page) => {
      await expect(page.getByTestId("compare-leaderboard")).toBeVisible();
    },
  },
  {
    name: "inbox",
    path: () => "/inbox",
    ready: async (page) => {
      await expect(page.getByTestId("gate-card").first()).toBeVisible();
    },
  },
  { name: "tokens", path: () => "/tokens" },
  { name: "schedules", path: () => "/schedules" },
  { name: "webhooks", path: () => "/webhooks" },
];

for (const scheme of SCHEMES) {
  test.describe(`accessibility (${scheme})`, () => {
    test(`/login, logged out, ${scheme}`, async ({ browser }) => {
      const page = await pageIn(browser, scheme);
      await page.goto("/login");
      await settle(page, scheme);
      await expectNoViolations(page, `/login (${scheme})`);
      await page.context().close();
    });

    for (const p of PAGES) {
      test(`${p.name}, ${scheme}`, async ({ browser, request }) => {
        const runId = p.run === "metrics" ? await metricsRun(request) : await gatedRun(request);
        const compared = p.name === "compare" ? await comparedRuns(request) : "";
        const page = await pageIn(browser, scheme);
        await login(page);
        const path = p.path(runId, compared);
        await page.goto(path);
        await settle(page, scheme);
        await p.ready?.(page);
        await expectNoViolations(page, `${path} (${scheme})`);
        await page.context().close();
      });
    }
  });
}
