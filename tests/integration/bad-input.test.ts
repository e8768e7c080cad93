import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimExternal } from "../../lib/engine/leases";
import { completeNode } from "../../lib/engine/report";
import { readEvents } from "../../lib/events/read";
import { submitRun } from "../../lib/runs/submit-run";
import { allEvents, buildRig, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig();
});
afterAll(async () => rig.stop());

const NASTY = [
  `'; DROP TABLE runs; --`,
  `" OR 1=1 --`,
  `{"$ne": null}`,
  `\\u0000 \\ ' " \``,
  "💥 ünïcödé",
  "$1 $$ %s %n",
];

describe("bad input is stored verbatim or refused clearly", () => {
  it("SQL and JSON metacharacters in labels, params and log lines round-trip unchanged", async () => {
    const script = NASTY.map((s) => `console.log(${JSON.stringify(s)});`).join("");
    const run = await submitRun(
      rig.db,
      {
        namespace: rig.namespace,
        label: NASTY[0],
        params: Object.fromEntries(NASTY.map((s, i) => [`k${i}${s}`, s])),
        spec: {
          name: "nasty",
          nodes: [{ id: "echo", kind: "command", label: NASTY[1], with: { argv: ["node", "-e", script] } }],
        },
      },
      { allowCommands: true },
    );
    await waitForRun(rig.db, run.id, finished);
    const stored = await rig.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.label).toBe(NASTY[0]);
    expect(stored.params).toEqual(Object.fromEntries(NASTY.map((s, i) => [`k${i}${s}`, s])));
    const lines = (await allEvents(rig.db, run.id)).filter((e) => e.type === "LOG").map((e) => e.payload.message);
    for (const s of NASTY) expect(lines).toContain(s);
    expect(await rig.db.run.count()).toBeGreaterThan(0); // the table is still there
  });

  it("control characters in log lines are escaped, not passed through", async () => {
    const run = await submit(rig, {
      name: "ctl",
      nodes: [
        { id: "c", kind: "command", with: { argv: ["node", "-e", "console.log('bell\\u0007 esc\\u001b[31m red')"] } },
      ],
    });
    await waitForRun(rig.db, run.id, finished);
    const line = (await allEvents(rig.db, run.id)).find(
      (e) => e.type === "LOG" && String(e.payload.message).startsWith("bell"),
    );
    expect(line?.payload.message).toBe("bell\\u0007 esc\\u001b[31m red");
  });

  it("an output over 64 KiB is refused with BAD_INPUT and fails the node clearly", async () => {
    const q = `big-${rig.namespace}`;
    const run = await submit(rig, { name: "big", nodes: [{ id: "x", kind: "external", with: { queue: q } }] });
    await waitForNode(rig.db, run.id, "x", "QUEUED");
    const claim = (await claimExternal(rig.db, { namespace: rig.namespace, queue: q, owner: "t" }))!;
    const err = await completeNode(
      rig.db,
      { runId: run.id, nodeId: claim.nodeId, epoch: claim.epoch },
      { blob: "x".repeat(70_000) },
    ).catch((e) => e);
    expect(err).toMatchObject({ code: "BAD_INPUT" });
    expect(err.message).toContain("64 KiB");

    const inline = await submit(rig, {
      name: "big2",
      nodes: [{ id: "t", kind: "transform", with: { expression: "$join([1..20000].($string($)), ',')" } }],
    });
    const done = await waitForRun(rig.db, inline.id, finished);
    expect(done.status).toBe("FAILED");
    const t = await rig.db.runNode.findUniqueOrThrow({ where: { runId_key: { runId: inline.id, key: "t" } } });
    expect(t.error).toContain("64 KiB");
  });

  it("oversized params and labels are refused before anything is written", async () => {
    const before = await rig.db.run.count({ where: { namespace: rig.namespace } });
    await expect(
      submit(
        rig,
        { name: "p", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] },
        { params: { blob: "y".repeat(70_000) } },
      ),
    ).rejects.toMatchObject({
      code: "BAD_INPUT",
    });
    expect(await rig.db.run.count({ where: { namespace: rig.namespace } })).toBe(before);
  });

  it("readEvents clamps hostile cursors instead of failing", async () => {
    const run = await submit(rig, { name: "c", nodes: [{ id: "a", kind: "sleep", with: { ms: 1 } }] });
    expect((await readEvents(rig.db, run.id, { afterSeq: -5, limit: -1 })).events.length).toBe(1);
    expect((await readEvents(rig.db, run.id, { afterSeq: 2 ** 31 - 1 })).events).toEqual([]);
  });
});

describe("search", () => {
  it("treats LIKE wildcards and backslashes in a search as plain characters", async () => {
    const { listRuns } = await import("../../lib/runs/queries");
    const spec = { name: "s", nodes: [{ id: "a", kind: "gate", with: { title: "t" } }] };
    for (const label of ["100% done", "a_b", "back\\slash", "plain"]) {
      await submitRun(rig.db, { namespace: rig.namespace, label, spec }, { allowCommands: false });
    }
    const labels = async (search: string) =>
      (await listRuns(rig.db, { namespace: rig.namespace, search, first: 50 })).runs.map((r) => r.label);
    expect(await labels("%")).toEqual(["100% done"]);
    expect(await labels("_")).toEqual(["a_b"]);
    expect(await labels("\\")).toEqual(["back\\slash"]);
  });
});
