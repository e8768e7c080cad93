import { type ChildProcess, spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import {
  expectRunStatus,
  gql,
  listedSeqs,
  nodeBox,
  range,
  runState,
  shoot,
  signIn,
  submitRun,
  TOKEN,
} from "./run-console-support";

/**
 * The server serving the page is killed (SIGKILL, mid-run) and started again. The page
 * must reconnect on its own, refill what it missed, and end with every event exactly once.
 * The test runs its own server process on another port against the same data dir (its
 * embedded PostgreSQL belongs to Playwright's server, so the database stays up).
 */
const PORT = Number(process.env.E2E_PORT ?? 3111) + 17;
const BASE = `http://127.0.0.1:${PORT}`;

function startServer(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      SIGNALBOX_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e",
      SIGNALBOX_ADMIN_TOKEN: TOKEN,
      SIGNALBOX_ALLOW_COMMANDS: "1",
      // Nodes this process leased are retried soon after it dies.
      SIGNALBOX_LEASE_MS: "2000",
      LOG_LEVEL: "warn",
    },
    detached: true, // its own process group: the kill takes its command subprocesses too
    stdio: ["ignore", "inherit", "inherit"],
  });
  return child;
}

function kill(child: ChildProcess | null) {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function waitHealthy(timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(`${BASE}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server on ${PORT} did not start`);
}

/**
 * ~10 s of work on two branches: a subprocess logging lines, and a chain of sleeps. A gate
 * holds the run open until the test approves it after the restart, so a slow page load on a
 * loaded machine cannot let the run finish before the crash.
 */
const SPEC = {
  name: "e2e-restart",
  nodes: [
    {
      id: "ticker",
      kind: "command",
      retries: 2,
      with: {
        argv: [
          "node",
          "-e",
          "let i=0;const t=setInterval(()=>{i++;console.log('tick '+i);console.log('::progress '+i/50);if(i>=50)clearInterval(t)},160)",
        ],
      },
    },
    ...["a", "b", "c", "d"].map((id, i, all) => ({
      id,
      kind: "sleep",
      retries: 2,
      with: { ms: 2500 },
      ...(i > 0 ? { needs: [all[i - 1]] } : {}),
    })),
    { id: "hold", kind: "gate", needs: ["d"], with: { title: "Finish?" } },
    { id: "join", kind: "transform", needs: ["ticker", "hold"], with: { expression: '"done"' } },
  ],
};

let server: ChildProcess | null = null;
test.afterEach(() => kill(server));

test("restarting the server mid-run: the open page reconnects by itself and shows every event exactly once", async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  server = startServer();
  await waitHealthy();
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1440, height: 900 } });
  await signIn(context, BASE);
  const page = await context.newPage();

  const id = await submitRun(request, { spec: SPEC, label: "e2e restart" }, BASE);
  await page.goto(`/runs/${id}`);
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
  const indicator = page.getByTestId("run-console").getByTestId("connection-indicator");
  await expect(indicator).toHaveAttribute("data-state", "live");
  await expect(nodeBox(page, "a")).toHaveAttribute("data-status", /RUNNING|SUCCEEDED/);
  await expect(page.getByTestId("log-count")).not.toHaveText("0 lines", { timeout: 15_000 });

  // Crash it mid-run.
  const before = Number(await page.getByTestId("event-count").getAttribute("data-last-seq"));
  expect((await runState(request, id, BASE)).sealed).toBe(false);
  kill(server);
  await expect(indicator).not.toHaveAttribute("data-state", "live", { timeout: 15_000 });
  await shoot(page, "restart-offline-1440", false);
  await new Promise((r) => setTimeout(r, 1_500));
  server = startServer();
  await waitHealthy();

  // Back by itself: no reload, live again, and the run (continued by the workers) finishes.
  await expect(indicator).toHaveAttribute("data-state", "live", { timeout: 60_000 });
  await expect(nodeBox(page, "hold")).toHaveAttribute("data-status", "WAITING", { timeout: 90_000 });
  await gql(
    request,
    'mutation ($id: ID!) { humanDecision(input: { runId: $id, nodeKey: "hold", decision: APPROVE }) { status } }',
    { id },
    BASE,
  );
  await expectRunStatus(page, "SUCCEEDED", 90_000);
  for (const key of ["ticker", "a", "b", "c", "d", "hold", "join"]) {
    await expect(nodeBox(page, key)).toHaveAttribute("data-status", "SUCCEEDED");
  }
  const { lastSeq, sealed } = await runState(request, id, BASE);
  expect(sealed).toBe(true);
  expect(lastSeq).toBeGreaterThan(before);
  await expect(page.getByTestId("event-count")).toHaveAttribute("data-last-seq", String(lastSeq));
  await expect(indicator).toHaveAttribute("data-state", "completed");

  const seqs = await listedSeqs(page);
  expect(seqs).toEqual(range(lastSeq));
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await shoot(page, "restart-finished-1440");
  await context.close();
});
