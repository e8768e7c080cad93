/**
 * `signalbox run … --follow` on a real terminal: tmux gives the CLI a 120×40 pty and
 * `capture-pane` reads the screen back. The live view is redrawn in place (one frame on
 * screen, never a scroll of frames): node rows, the map grouped, progress bars, the gate's
 * approve command; approving from another process finishes the run and the view says so.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cli, cliHome, ensureBuilt, writeSpec } from "./cli-helpers";
import { type ServerProc, serveForTests, type Tokens } from "./graphql-harness";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux) console.warn("cli-tty.test.ts skipped: tmux is not installed (apt-get install -y tmux)");

let server: ServerProc;
let t: Tokens;
serveForTests({}, (h) => {
  ({ server, t } = h);
});

const home = cliHome();
/** A tmux server of this file's own: other sessions on the machine are left alone. */
const SOCKET = `sbx-cli-tty-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

beforeAll(() => {
  if (hasTmux) ensureBuilt();
});
afterAll(() => {
  if (hasTmux) spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  home.cleanup();
});

/** The screen, and with `history` everything that scrolled off it too. */
const screen = (history = false) => tmux("capture-pane", "-p", "-t", "cli", ...(history ? ["-S", "-"] : []));

async function until(what: string, test: (s: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasTmux)("live view on a terminal (tmux)", () => {
  it("shows node rows, the map grouped, progress bars and the approve command; finishes after approval", async () => {
    const spec = writeSpec(
      home.dir,
      "tty.yaml",
      `name: cli-tty
budget: 5
nodes:
  - { id: warmup, kind: sleep, with: { ms: 600 } }
  - id: each
    kind: map
    needs: [warmup]
    with: { over: "[1..30]", concurrency: 6, node: { kind: sleep, with: { ms: 100 }, cost: 0.01 } }
  - { id: review, kind: gate, needs: [each], with: { title: "Ship the scores?" } }
  - { id: ship, kind: transform, needs: [review], with: { expression: "'shipped'" } }
`,
    );
    const vars = { ...home.env, SIGNALBOX_URL: server.url, SIGNALBOX_TOKEN: t.operator };
    const command = [
      "env",
      ...Object.entries(vars).map(([k, v]) => q(`${k}=${v}`)),
      q(process.execPath),
      q(CLI),
      "run",
      q(spec),
      "--follow",
      '; echo "EXIT=$?"; sleep 120',
    ].join(" ");
    tmux("new-session", "-d", "-s", "cli", "-x", "120", "-y", "40", command);

    const first = await until("the first frame", (s) => /cli-tty\s+[0-9a-f-]{36}/.test(s));
    const runId = /cli-tty\s+([0-9a-f-]{36})/.exec(first)![1];
    expect(first).toMatch(/NODE\s+KIND\s+STATUS\s+PROGRESS\s+TIME/);
    expect(first).toContain(`${server.url}/runs/${runId}`);

    const waiting = await until("the gate", (s) => s.includes(`signalbox approve ${runId} review`));
    const rows = waiting.split("\n");
    expect(rows[0]).toMatch(new RegExp(`^cli-tty  ${runId} +\\S RUNNING$`)); // the badge flush right, a spinner
    expect(rows[2]).toMatch(/^█+░*\s+\d+%\s+cost 0\.30 \/ 5\.00\s+elapsed [\d.]+s$/); // 30 children × 0.01
    expect(waiting).toMatch(/✔ warmup\s+sleep\s+SUCCEEDED\s+█{20}\s+100%\s+[\d.]+s/);
    expect(waiting).toMatch(/✔ each\s+map ×30\s+SUCCEEDED\s+█{20}\s+30\/30\s+[\d.]+s\s+✔30/);
    expect(waiting).toMatch(/◆ review\s+gate\s+WAITING\s+░{20}/);
    expect(waiting).toMatch(/· ship\s+transform\s+PENDING/);
    expect(waiting).not.toMatch(/each\[\d+\]/); // children are counted, not listed
    expect(waiting).toContain("Waiting for a decision");
    expect(waiting).toMatch(/◆ review {2}Ship the scores\?/);
    expect(waiting).toContain(`approve: signalbox approve ${runId} review`);
    expect(waiting).toContain("Ctrl-C detaches; the run keeps going.");

    const approve = await cli(["approve", runId, "review"], vars);
    expect(approve.code).toBe(0);

    const done = await until("the end", (s) => s.includes("EXIT="));
    expect(done).toContain("EXIT=0");
    expect(done).toMatch(new RegExp(`^cli-tty  ${runId} +✔ SUCCEEDED$`, "m"));
    expect(done).toMatch(/✔ review\s+gate\s+SUCCEEDED/);
    expect(done).toMatch(/✔ ship\s+transform\s+SUCCEEDED/);
    expect(done).toMatch(/██████████████████████████████ 100%/);
    expect(done).toMatch(/✔ SUCCEEDED in [\d.]+s {2}· {2}34 nodes succeeded, 0 failed/);
    expect(done).not.toContain("Waiting for a decision");
    // Redrawn in place: one frame in the whole scrollback, however many were drawn.
    const all = screen(true);
    expect(all.match(/cli-tty {2}[0-9a-f-]{36}/g)).toHaveLength(1);
    expect(all.match(/NODE\s+KIND\s+STATUS/g)).toHaveLength(1);
  });
});
