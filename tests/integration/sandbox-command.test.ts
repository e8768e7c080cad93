/**
 * `command` nodes against the real server (SIGNALBOX_ALLOW_COMMANDS=1): the namespace's ADMIN
 * switch, a minimal environment, the whole process tree ends with the node, and output is
 * capped (line length, lines per second) with every dropped line counted and reported.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import {
  gql,
  gqlData,
  makeTokens,
  type ServerProc,
  SUBMIT,
  serveForTests,
  startServer,
  type Tokens,
} from "./graphql-harness";
import { eventually } from "./hardening-helpers";
import { allEvents } from "./helpers";

let server: ServerProc;
let db: Db;
let tokens: Tokens;

serveForTests({ env: { SIGNALBOX_ALLOW_COMMANDS: "1" } }, async (h) => {
  ({ server, db } = h);
  tokens = await makeTokens(db);
});

const SETTINGS = /* GraphQL */ `
  mutation Set($on: Boolean!) { setNamespaceSettings(allowCommands: $on) { name allowCommands commandsAvailable } }`;

const commandSpec = (argv: string[], extra: Record<string, unknown> = {}) => ({
  name: "cmd",
  nodes: [{ id: "c", kind: "command", with: { argv }, ...extra }],
});

/** The namespace's switch on (the first test shows it starts off). */
const allowCommands = () => gqlData(server, tokens.admin, SETTINGS, { on: true });

const submit = async (spec: unknown) =>
  (await gqlData(server, tokens.operator, SUBMIT, { input: { spec } })).submitRun.id as string;

async function finished(runId: string, timeoutMs = 20_000) {
  return eventually(
    async () => {
      const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
      return run.finishedAt ? run : null;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

const logsOf = async (runId: string) =>
  (await allEvents(db, runId)).filter((e) => e.type === "LOG").map((e) => String(e.payload.message));

const node = (runId: string, key = "c") => db.runNode.findUniqueOrThrow({ where: { runId_key: { runId, key } } });

/** Gone, or a zombie waiting for init to reap it: either way no longer running. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("command nodes", () => {
  it("need the namespace's admin switch besides SIGNALBOX_ALLOW_COMMANDS=1", async () => {
    const refused = await gql(server, tokens.operator, SUBMIT, { input: { spec: commandSpec(["true"]) } });
    expect(refused.errors?.[0]?.extensions?.code).toBe("INVALID_SPEC");
    const problems = refused.errors?.[0]?.extensions?.problems as { path: string; message: string }[];
    expect(problems[0].path).toBe("nodes[0].kind");
    expect(problems[0].message).toContain("allowCommands switch");

    const byOperator = await gql(server, tokens.operator, SETTINGS, { on: true });
    expect(byOperator.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const on = await gqlData(server, tokens.admin, SETTINGS, { on: true });
    expect(on.setNamespaceSettings).toEqual({ name: tokens.namespace, allowCommands: true, commandsAvailable: true });
    const read = await gqlData(server, tokens.viewer, "{ namespace { name allowCommands } }");
    expect(read.namespace).toEqual({ name: tokens.namespace, allowCommands: true });

    const ok = await submit(commandSpec(["true"]));
    expect((await finished(ok)).status).toBe("SUCCEEDED");

    // Switched off while a run waits: its command node fails when it would start.
    const waiting = await submit({
      name: "later",
      nodes: [
        { id: "wait", kind: "sleep", with: { ms: 1_500 } },
        { id: "c", kind: "command", needs: ["wait"], with: { argv: ["true"] } },
      ],
    });
    await gqlData(server, tokens.admin, SETTINGS, { on: false });
    expect((await finished(waiting)).status).toBe("FAILED");
    expect((await node(waiting)).error).toContain("command nodes are disabled here");
    const again = await gql(server, tokens.operator, SUBMIT, { input: { spec: commandSpec(["true"]) } });
    expect(again.errors?.[0]?.extensions?.code).toBe("INVALID_SPEC");
    await gqlData(server, tokens.admin, SETTINGS, { on: true });
  }, 30_000);

  it("inherit no secrets: the environment has no DATABASE_URL and no SIGNALBOX_* variable", async () => {
    await allowCommands();
    const run = await submit({
      name: "env",
      nodes: [{ id: "c", kind: "command", with: { argv: ["env"], env: { GREETING: "hi" } } }],
    });
    expect((await finished(run)).status).toBe("SUCCEEDED");
    const lines = await logsOf(run);
    expect(lines).toContain("GREETING=hi");
    expect(lines.some((l) => l.startsWith("PATH="))).toBe(true);
    expect(lines.filter((l) => /^(DATABASE_URL|SIGNALBOX_)/.test(l))).toEqual([]);
    expect(lines.join("\n")).not.toContain("sbx_test_admin_token");
  }, 20_000);

  it("cancel ends the whole process tree, and a finished command leaves nothing running", async () => {
    await allowCommands();
    const run = await submit(commandSpec(["sh", "-c", 'sleep 300 & echo "pid=$!"; wait']));
    const pidLine = await eventually(
      async () => (await logsOf(run)).find((l) => l.startsWith("pid=")),
      10_000,
      "the grandchild's pid",
    );
    const pid = Number(pidLine.slice(4));
    expect(running(pid)).toBe(true);
    await gqlData(server, tokens.operator, "mutation C($id: ID!) { cancelRun(id: $id) { id } }", { id: run });
    expect((await finished(run)).status).toBe("CANCELLED");
    await eventually(async () => !running(pid), 5_000, `grandchild ${pid} to be gone`);

    // The command exits but leaves a background child holding its output pipe.
    const left = await submit(commandSpec(["sh", "-c", 'sleep 300 & echo "pid=$!"']));
    const done = await finished(left, 10_000);
    expect(done.status).toBe("SUCCEEDED");
    const orphan = Number((await logsOf(left)).find((l) => l.startsWith("pid="))?.slice(4));
    await eventually(async () => !running(orphan), 5_000, `orphan ${orphan} to be gone`);

    // A process that leaves the group (setsid) escapes the kill, but cannot hold the node open.
    const escaped = await submit(commandSpec(["sh", "-c", "setsid sleep 20 & echo started"]));
    expect((await finished(escaped, 10_000)).status).toBe("SUCCEEDED");
  }, 40_000);

  it("caps line length and lines per second; dropped lines are counted in a LOG line", async () => {
    await allowCommands();
    const long = await submit(commandSpec(["node", "-e", "console.log('x'.repeat(100000)); console.log('after')"]));
    expect((await finished(long)).status).toBe("SUCCEEDED");
    const lines = await logsOf(long);
    const cut = lines.find((l) => l.startsWith("xxx"));
    expect(cut?.length).toBeLessThan(16_384 + 100);
    expect(cut).toContain(`[line truncated: ${100_000 - 16_384} more bytes]`);
    expect(lines).toContain("after");

    const total = 20_000;
    const chatty = await submit(
      commandSpec(["node", "-e", `for (let i = 0; i < ${total}; i++) console.log('line ' + i)`]),
    );
    expect((await finished(chatty)).status).toBe("SUCCEEDED");
    const out = await logsOf(chatty);
    const logged = out.filter((l) => l.startsWith("line ")).length;
    const dropped = out
      .map((l) => /^(\d+) output line\(s\) dropped: over 1000 lines\/s/.exec(l))
      .reduce((n, m) => n + (m ? Number(m[1]) : 0), 0);
    expect(dropped).toBeGreaterThan(0);
    expect(logged).toBeLessThan(total);
    expect(logged + dropped).toBe(total);
  }, 40_000);
});

describe("command output under a stalled database", () => {
  it("holds the command (backpressure) while the log buffer is full; no line is lost", async () => {
    await allowCommands();
    const total = 6_000;
    // ~900 lines/s (under the 1000 lines/s cap), each stamped with the time the command wrote
    // it. Python blocks on a full pipe (Node would buffer in its own memory instead).
    const script = [
      "import sys, time",
      'print("start", flush=True); time.sleep(0.5)',
      `for i in range(0, ${total}, 9):`,
      `    for j in range(i, min(i + 9, ${total})): print(f"line {j} t={int(time.time() * 1000)} {'x' * 150}")`,
      "    sys.stdout.flush(); time.sleep(0.01)",
    ].join("\n");
    const run = await submit(commandSpec(["python3", "-c", script]));
    await eventually(async () => (await logsOf(run)).includes("start"), 15_000, "the first line");
    // Event appends block for 8 s (a slow or failing-over database): the buffer fills, the
    // command's output is paused and the command blocks on its pipe until the writes resume.
    await db.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE run_events IN SHARE MODE`;
        await new Promise((r) => setTimeout(r, 8_000));
      },
      { timeout: 20_000 },
    );
    expect((await finished(run, 40_000)).status).toBe("SUCCEEDED");
    const lines = (await logsOf(run)).filter((l) => l.startsWith("line "));
    expect(lines.length).toBe(total);
    expect((await logsOf(run)).filter((l) => l.includes("dropped"))).toEqual([]);
    const written = lines.map((l) => Number(/ t=(\d+)/.exec(l)?.[1]));
    const longestHold = Math.max(...written.slice(1).map((t, i) => t - written[i]));
    expect(longestHold).toBeGreaterThan(1_000);
  }, 60_000);
});

describe.skipIf(process.getuid?.() !== 0)("command nodes under SIGNALBOX_COMMAND_UID (server started as root)", () => {
  let other: ServerProc;
  let t: Tokens;
  beforeAll(async () => {
    // Every worker on the database may claim a node: only this server's may run these.
    await server.stop();
    other = await startServer({
      env: { SIGNALBOX_ALLOW_COMMANDS: "1", SIGNALBOX_COMMAND_UID: "65534", SIGNALBOX_COMMAND_GID: "65534" },
    });
    t = await makeTokens(db);
    await gqlData(other, t.admin, SETTINGS, { on: true });
  });
  afterAll(async () => {
    await other?.stop();
  });

  it("run as that user and cannot read the server's environment", async () => {
    const argv = ["sh", "-c", 'id -u; tr "\\0" "\\n" < /proc/$PPID/environ || echo "environ unreadable"'];
    const run = (await gqlData(other, t.operator, SUBMIT, { input: { spec: commandSpec(argv) } })).submitRun.id;
    expect((await finished(run)).status).toBe("SUCCEEDED");
    const lines = await logsOf(run);
    expect(lines).toContain("65534");
    expect(lines).toContain("environ unreadable");
    expect(lines.join("\n")).not.toMatch(/DATABASE_URL|SIGNALBOX_ADMIN_TOKEN/);
  }, 30_000);
});
