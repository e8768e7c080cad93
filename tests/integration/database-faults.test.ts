import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedDb, startEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/schema-engine";
import type { RunEventRecord } from "../../lib/events/types";
import {
  allEvents,
  buildRig,
  completionsByNode,
  expectGapless,
  finished,
  submit,
  type TestRig,
  waitForRun,
} from "./helpers";

/** A PostgreSQL of this file's own, so it can be restarted under a running engine. */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-faults-"));
fs.chmodSync(dataDir, 0o755);
let pgServer: EmbeddedDb;
let rig: TestRig;

beforeAll(async () => {
  pgServer = await startEmbeddedPostgres(dataDir);
  await applyMigrations(pgServer.url);
  rig = await buildRig({ url: pgServer.url, leaseMs: 3_000 });
});
afterAll(async () => {
  await rig?.stop();
  await pgServer?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function collect(runId: string, afterSeq = 0) {
  const got: RunEventRecord[] = [];
  const ac = new AbortController();
  const done = (async () => {
    for (;;) {
      try {
        for await (const e of rig.events.stream(runId, got.at(-1)?.seq ?? afterSeq, { signal: ac.signal })) got.push(e);
        return;
      } catch {
        // The database went away under the stream: resume from the last seq, like a client.
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  return { got, done, abort: () => ac.abort() };
}

const chain = (n: number, ms: number) => ({
  name: "chain",
  nodes: Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    kind: "sleep",
    needs: i ? [`s${i - 1}`] : [],
    with: { ms },
  })),
});

describe("database faults", () => {
  it("a PostgreSQL restart mid-run: the run completes, the stream resumes gapless, no node completes twice", async () => {
    const run = await submit(rig, chain(8, 300));
    const watcher = collect(run.id);
    await waitForRun(rig.db, run.id, (r) => r.progress >= 0.25);
    await pgServer.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    pgServer = await startEmbeddedPostgres(dataDir);
    const done = await waitForRun(rig.db, run.id, finished, 45_000);
    expect(done.status).toBe("SUCCEEDED");
    await watcher.done;
    const events = await allEvents(rig.db, run.id);
    expectGapless(events);
    expect(watcher.got.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    for (const [, n] of completionsByNode(events)) expect(n).toBe(1);
  }, 90_000);

  it("a killed LISTEN connection is re-established and the stream catches up by seq", async () => {
    const ready = Date.now() + 15_000;
    while (!rig.notifier.connected && Date.now() < ready) await new Promise((r) => setTimeout(r, 50));
    const run = await submit(rig, chain(6, 200));
    const watcher = collect(run.id);
    await waitForRun(rig.db, run.id, (r) => r.progress > 0);
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'signalbox-listener'",
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    await waitForRun(rig.db, run.id, finished, 30_000);
    await watcher.done;
    const events = await allEvents(rig.db, run.id);
    expect(watcher.got.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    // The listener is back: a doorbell reaches it again.
    const deadline = Date.now() + 10_000;
    while (!rig.notifier.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(rig.notifier.connected).toBe(true);
  }, 60_000);
});
