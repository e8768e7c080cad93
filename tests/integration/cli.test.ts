/**
 * The `signalbox` CLI as built (sdk/dist/cli/main.js), in real processes against a real
 * server: login and the config file, run --follow's plain lines and exit statuses, NDJSON,
 * gates approved from the CLI, Ctrl-C detaching, errors as one sentence with exit 4.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliProc,
  type CliResult,
  cli,
  cliHome,
  closedPort,
  ensureBuilt,
  startCli,
  writeSpec,
} from "./cli-helpers";
import { gqlData, type ServerProc, serveForTests, type Tokens } from "./graphql-harness";

let server: ServerProc;
let t: Tokens;
serveForTests({}, (h) => {
  ({ server, t } = h);
});

const home = cliHome();
let env: Record<string, string>;
const specs: Record<string, string> = {};

beforeAll(() => {
  ensureBuilt();
  env = { ...home.env, SIGNALBOX_URL: server.url, SIGNALBOX_TOKEN: t.operator };
  specs.ok = writeSpec(
    home.dir,
    "ok.yaml",
    `name: cli-ok
nodes:
  - { id: warmup, kind: sleep, with: { ms: 200 } }
  - { id: answer, kind: transform, needs: [warmup], with: { expression: "6 * 7" }, results: true }
`,
  );
  specs.fail = writeSpec(
    home.dir,
    "fail.yaml",
    `name: cli-fail
nodes:
  - { id: boom, kind: transform, with: { expression: "$error('no luck')" } }
  - { id: after, kind: transform, needs: [boom], with: { expression: "1" } }
`,
  );
  specs.slow = writeSpec(
    home.dir,
    "slow.json",
    JSON.stringify({ name: "cli-slow", nodes: [{ id: "wait", kind: "sleep", with: { ms: 60_000 } }] }),
  );
  specs.gate = writeSpec(
    home.dir,
    "gate.yaml",
    `name: cli-gate
params: { who: nobody }
nodes:
  - { id: compose, kind: transform, with: { expression: "'hello ' & params.who" } }
  - { id: review, kind: gate, needs: [compose], with: { title: "Send it?", show: "inputs.compose" } }
  - { id: send, kind: transform, needs: [review], with: { expression: "inputs.review" }, results: true }
`,
  );
});
afterAll(() => home.cleanup());

const RUN_ID = /run ([0-9a-f-]{36}) submitted/;
const lines = (s: string) => s.split("\n").filter(Boolean);

/** Exactly one line on stderr, nothing on stdout, exit 4. */
function expectOneSentence(r: CliResult, re: RegExp) {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 4, stdout: "" });
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

async function runStatus(id: string) {
  return (await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { status } }`, { id })).run.status;
}

async function started(p: CliProc): Promise<string> {
  const id = (await p.waitFor(RUN_ID))[1];
  await p.waitFor(/node wait RUNNING/);
  return id;
}

describe("login", () => {
  it("checks the token, saves it 0600, and refuses a bad one in one sentence", async () => {
    const r = await cli(["login", "--url", server.url, "--token", t.operator], home.env);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toContain(`Logged in to ${server.url}`);
    expect(r.stdout).toContain(`namespace ${t.namespace}`);
    expect(fs.statSync(home.configFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${home.env.XDG_CONFIG_HOME}/signalbox`).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(home.configFile, "utf8"))).toEqual({ url: server.url, token: t.operator });

    // The saved config is used with no variables set…
    const runs = await cli(["runs", "--json"], home.env);
    expect(runs.code).toBe(0);
    expect(Array.isArray(JSON.parse(runs.stdout))).toBe(true);

    // …and a bad token is refused, leaving it as it was.
    const bad = await cli(["login", "--url", server.url, "--token", "sbx_not_a_real_token_0000000000000000"], home.env);
    expectOneSentence(bad, /refused this token; nothing was saved/);
    expect(JSON.parse(fs.readFileSync(home.configFile, "utf8")).token).toBe(t.operator);

    // --token - reads it from stdin.
    const piped = await cli(["login", "--url", server.url, "--token", "-"], home.env, `${t.viewer}\n`);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain("VIEWER");
    expect(JSON.parse(fs.readFileSync(home.configFile, "utf8")).token).toBe(t.viewer);
  });
});

describe("run --follow, piped", () => {
  it("prints one plain line per change and exits 0 when the run succeeds", async () => {
    const r = await cli(["run", specs.ok, "--follow"], env);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(RUN_ID);
    expect(out[0]).toContain(`${server.url}/runs/`);
    expect(r.stdout).not.toContain("\u001b["); // no escape codes in a pipe
    const text = out.slice(1).map((l) => l.replace(/^\d\d:\d\d:\d\d /, ""));
    expect(text).toContain("run RUNNING");
    expect(text).toContain("node warmup RUNNING");
    expect(text.some((l) => /^node warmup SUCCEEDED after \d/.test(l))).toBe(true);
    expect(text).toContain("results: 1 row");
    expect(text.at(-1)).toMatch(/^run SUCCEEDED in [\d.]+s: 2 nodes succeeded, 0 failed$/);
    expect(new Set(text).size).toBe(text.length); // each change once
    expect(r.stderr).toBe("");
  });

  it("exits 1 when the run fails, and logs shows its error lines", async () => {
    const r = await cli(["run", specs.fail, "--follow"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/node boom FAILED after [\d.]+s: no luck/);
    expect(r.stdout).toMatch(/node after SKIPPED/);
    expect(lines(r.stdout).at(-1)).toMatch(/run FAILED in .*1 failed \(node boom failed/);

    const id = RUN_ID.exec(r.stdout)![1];
    const logs = await cli(["logs", id, "--level", "error", "--node", "boom"], env);
    expect(logs.code).toBe(0);
    expect(lines(logs.stdout).length).toBeGreaterThan(0);
    for (const l of lines(logs.stdout)) expect(l).toMatch(/^\d\d:\d\d:\d\d ERROR\s+boom: .*no luck/);
    expect((await cli(["logs", id, "--node", "nobody"], env)).stdout).toBe("");
  });

  it("exits 2 when another client cancels the run", async () => {
    const p = startCli(["run", specs.slow, "--follow"], env);
    const id = await started(p);
    const cancel = await cli(["cancel", id], { ...env, SIGNALBOX_TOKEN: t.operator });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`Run ${id} is`);
    const r = await p.done;
    expect(r.code).toBe(2);
    expect(lines(r.stdout).at(-1)).toMatch(/run CANCELLED in/);
  });
});

describe("--json", () => {
  it("prints only NDJSON events, seqs 1..N without a gap, RUN_COMPLETED last", async () => {
    const r = await cli(["run", specs.ok, "--follow", "--json"], env);
    expect(r.code).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const e of events) expect(typeof e.type).toBe("string");
    expect(events.at(-1).type).toBe("RUN_COMPLETED");
    expect(events.at(-1).status).toBe("SUCCEEDED");
    expect(r.stdout.endsWith("\n")).toBe(true);
    expect(r.stderr).toBe("");

    // watch of the finished run replays the same log, from --after-seq on.
    const runId = events[0].runId;
    const again = await cli(["watch", runId, "--json", "--after-seq", "3"], env);
    expect(again.code).toBe(0);
    expect(lines(again.stdout).map((l) => JSON.parse(l).seq)).toEqual(events.slice(3).map((e) => e.seq));
  });
});

describe("gates", () => {
  it("approving through the CLI unblocks the run being followed", async () => {
    const p = startCli(["run", specs.gate, "--follow", "--param", "who=ada", "--label", "cli gate"], env);
    const id = (await p.waitFor(RUN_ID))[1];
    const m = await p.waitFor(/approve with: signalbox (approve \S+ \S+)/);
    expect(m[1]).toBe(`approve ${id} review`);

    const gates = await cli(["gates", "--json"], env);
    expect(gates.code).toBe(0);
    const waiting = JSON.parse(gates.stdout);
    expect(waiting).toEqual(
      expect.arrayContaining([expect.objectContaining({ runId: id, key: "review", status: "WAITING" })]),
    );
    const table = await cli(["gates"], env);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+review\\s+[\\d.]+s\\s+Send it\\?`));

    // The exact command the follower printed.
    const approve = await cli([...m[1].split(" "), "--feedback", "ship it"], env);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`Approved gate review of run ${id}; the node is SUCCEEDED.`);
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/gate review APPROVE by .*: ship it/);

    // A second, conflicting decision is refused by the server (exit 3), in one sentence.
    const again = await cli(["reject", id, "review"], env);
    expect(again.code).toBe(3);
    expect(lines(again.stderr)).toHaveLength(1);

    // The run is listed, labelled, and an admin can promote it (flags override the environment).
    const runs = JSON.parse((await cli(["runs", "--json", "--status", "succeeded", "--limit", "50"], env)).stdout);
    expect(runs).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, status: "SUCCEEDED", label: "cli gate" })]),
    );
    const name = `cli-promoted-${Date.now()}`;
    const promote = await cli(["promote", id, name, "--token", t.admin], env);
    expect(promote.code).toBe(0);
    expect(promote.stdout).toContain(`as ${name} v1`);
    const pipelines = JSON.parse((await cli(["pipelines", "--json"], env)).stdout);
    expect(pipelines).toEqual(
      expect.arrayContaining([expect.objectContaining({ name, version: 1, promotedFrom: id })]),
    );
    const byName = await cli(["run", `${name}@1`, "--params-file", writeSpec(home.dir, "p.json", '{"who":"bo"}')], env);
    expect(byName.code).toBe(0);
    expect(lines(byName.stdout)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringContaining("/runs/")]);
  });
});

describe("control", () => {
  it("pause, budget, resume, cancel; Ctrl-C detaches with 130 and leaves the run going", async () => {
    const p = startCli(["run", specs.slow, "--follow"], env);
    const id = await started(p);
    p.child.kill("SIGINT");
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`Detached; run ${id} keeps going`);
    expect(await runStatus(id)).toBe("RUNNING");

    expect((await cli(["pause", id], env)).stdout).toBe(`Run ${id} is PAUSED.\n`);
    expect((await cli(["budget", id, "3.5"], env)).stdout).toMatch(/budget 3\.50, spent 0\.00/);
    expect((await cli(["resume", id], env)).stdout).toBe(`Run ${id} is RUNNING.\n`);
    const table = await cli(["runs", "--status", "running", "--limit", "50"], env);
    expect(table.stdout).toMatch(/^ID\s+PIPELINE\s+STATUS/);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+cli-slow\\s+RUNNING`));
    expect((await cli(["cancel", id], env)).code).toBe(0);
    expect((await cli(["watch", id], env)).code).toBe(2);
  });
});

describe("worker", () => {
  it("signalbox worker --queue Q -- <command> completes external nodes with what the command prints", async () => {
    const queue = `cli-q-${Date.now()}`;
    const spec = writeSpec(
      home.dir,
      "external.json",
      JSON.stringify({
        name: "cli-external",
        nodes: [{ id: "double", kind: "external", with: { queue, input: { n: 21 } }, results: true }],
      }),
    );
    const script = `let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      console.log("doubling for " + process.env.SIGNALBOX_NODE_KEY);
      console.log("::output " + JSON.stringify({ doubled: JSON.parse(s).n * 2 }));
    });`;
    const worker = startCli(
      ["worker", "--queue", queue, "--concurrency", "2", "--", process.execPath, "-e", script],
      env,
    );
    try {
      const r = await cli(["run", spec, "--follow"], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/log INFO double: doubling for double/);
      const id = RUN_ID.exec(r.stdout)![1];
      const run = await gqlData(server, t.viewer, `query($id: ID!) { run(id: $id) { nodes { output } } }`, { id });
      expect(run.run.nodes[0].output).toEqual({ doubled: 42 });
    } finally {
      worker.child.kill("SIGTERM");
      await worker.done;
    }
  });
});

describe("errors: one sentence, exit 4", () => {
  it("no token, a bad token, an unreachable server, a missing run, bad usage, an invalid spec", async () => {
    const noToken = await cli(["runs"], {
      ...home.env,
      XDG_CONFIG_HOME: `${home.dir}/empty`,
      SIGNALBOX_URL: server.url,
    });
    expectOneSentence(noToken, /No API token/);
    expectOneSentence(
      await cli(["runs"], { ...env, SIGNALBOX_TOKEN: "sbx_not_a_real_token_0000000000000000" }),
      /refused the token/,
    );
    expectOneSentence(
      await cli(["cancel", "8e1c6a3b-0000-4000-8000-000000000000"], { ...env, SIGNALBOX_TOKEN: t.viewer }),
      /Not allowed with this token/,
    );
    const down = `http://127.0.0.1:${await closedPort()}`;
    expectOneSentence(await cli(["runs"], { ...env, SIGNALBOX_URL: down }), /Cannot reach/);
    expectOneSentence(await cli(["watch", "8e1c6a3b-0000-4000-8000-000000000000", "--url", down], env), /Cannot reach/);
    expectOneSentence(await cli(["watch", "8e1c6a3b-0000-4000-8000-000000000000"], env), /not found/i);
    expectOneSentence(await cli(["runs", "--bogus"], env), /unknown option '--bogus'/);
    expectOneSentence(await cli(["approve", "only-one-arg"], env), /missing required argument 'nodeKey'/);
    expectOneSentence(await cli(["run", "missing.yaml"], env), /no such file missing\.yaml/);
    expectOneSentence(await cli(["rerun", "8e1c6a3b-0000-4000-8000-000000000000"], env), /not found/i);
    expectOneSentence(await cli(["runs", "--url", "localhost:3000"], env), /not an http\(s\) URL/);

    const bad = writeSpec(
      home.dir,
      "bad.yaml",
      "name: bad\nnodes:\n  - { id: a, kind: nope }\n  - { id: b, kind: sleep, needs: [zz], with: { ms: 1 } }\n",
    );
    const invalid = await cli(["run", bad], env);
    expect(invalid.code).toBe(4);
    const problems = lines(invalid.stderr);
    expect(problems[0]).toMatch(/The spec is invalid \(2 problems\):/);
    // Each problem at its path and the line of the file it points at.
    expect(problems.slice(1)).toEqual([
      expect.stringMatching(/^ {2}\S*bad\.yaml:3: nodes\[0\]\.kind: /),
      expect.stringMatching(/^ {2}\S*bad\.yaml:4: nodes\[1\]\.needs\[0\]: /),
    ]);
  });
});
