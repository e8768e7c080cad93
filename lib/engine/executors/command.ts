import { spawn } from "node:child_process";
import os from "node:os";
import { invalidCommandMessage, parseWorkflowCommand } from "@signalbox/sdk/workflow-commands";
import { env } from "../../env";
import { LineRate, LineSplitter } from "./command-output";
import type { ExecContext, NodeExecutor } from "./types";

interface CommandConfig {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** Grace period between SIGTERM and SIGKILL on cancel or timeout. */
const KILL_GRACE_MS = 2_000;

/**
 * One stdout line: a workflow command (`@signalbox/sdk/workflow-commands`, the protocol
 * `signalbox worker -- <command>` speaks too) reports to the engine; anything else is a
 * log line. Returns the `::output` value when the line sets it.
 */
export function handleStdoutLine(line: string, ctx: Pick<ExecContext, "report">): { output?: unknown } {
  const c = parseWorkflowCommand(line);
  switch (c.type) {
    case "log":
      ctx.report.log("INFO", c.line);
      return {};
    case "progress":
      ctx.report.progress(c.value);
      return {};
    case "cost":
      ctx.report.cost(c.value);
      return {};
    case "metric":
      ctx.report.metric(c.name, c.value);
      return {};
    case "output":
      return { output: c.value };
    case "result":
      ctx.report.result(c.row);
      return {};
    case "invalid":
      ctx.report.log("WARNING", invalidCommandMessage(c));
      return {};
  }
}

/** Variables a command inherits from the server; everything else (secrets included) stays out. */
const INHERITED_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME"];

/** A minimal environment: the allowlist above plus the spec's own `env`. */
function commandEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { PATH: "/usr/bin:/bin" };
  for (const key of INHERITED_ENV) {
    const value = process.env[key];
    if (value !== undefined) out[key] = value;
  }
  return { ...out, ...extra };
}

/**
 * SIGNALBOX_COMMAND_UID/GID: run commands as another (unprivileged) user, so they cannot read
 * the server's files, its data directory or its environment in /proc. Needs a server
 * started as root (or with CAP_SETUID/CAP_SETGID).
 */
function commandUser(uid: number | undefined, gid: number | undefined): { uid?: number; gid?: number } | null {
  if (uid === undefined && gid === undefined) return null;
  return { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) };
}

const WORKFLOW_COMMAND = /^\s*::(progress|cost|metric|output|result)\s/;

/**
 * Signals to the command's whole process group (it is started as a group leader), so
 * children and grandchildren stop with it. A process that leaves the group (setsid) escapes.
 */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Run argv without a shell, in its own process group, with a minimal environment; exit 0 is
 * success. Output is read in capped lines with a rate cap on log lines, and paused while the
 * reporter's buffer is full (the command then blocks on its pipe: memory stays bounded).
 * Cancel or timeout: SIGTERM to the group, SIGKILL after a grace period; when the command
 * exits, whatever it left running in its group is killed too.
 */
export const command: NodeExecutor = async (ctx) => {
  if (!ctx.settings.allowCommands || !ctx.commandsAllowed)
    throw new Error(
      "command nodes are disabled here: they need SIGNALBOX_ALLOW_COMMANDS=1 on the server " +
        "and the namespace's allowCommands switch (set by an admin)",
    );
  const cfg = ctx.spec.with as unknown as CommandConfig;
  const e = env();
  const user = commandUser(e.SIGNALBOX_COMMAND_UID, e.SIGNALBOX_COMMAND_GID);
  const child = spawn(cfg.argv[0], cfg.argv.slice(1), {
    // Under another user the server's own directory may be closed to it: start in the temp dir.
    cwd: cfg.cwd ?? (user ? os.tmpdir() : undefined),
    env: commandEnv({ ...(user ? { HOME: os.tmpdir() } : {}), ...cfg.env }) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    ...user,
  });
  const perSecond = e.SIGNALBOX_COMMAND_MAX_LINES_PER_SECOND;
  const rate = new LineRate(perSecond, perSecond * 2);
  const sayDropped = () => {
    const n = rate.takeDropped();
    if (n > 0)
      ctx.report.log(
        "WARNING",
        `${n} output line(s) dropped: over ${perSecond} lines/s (SIGNALBOX_COMMAND_MAX_LINES_PER_SECOND)`,
      );
  };
  const dropNotices = setInterval(sayDropped, 1_000);
  let output: unknown;
  const onStdout = (line: string) => {
    if (WORKFLOW_COMMAND.test(line)) {
      const r = handleStdoutLine(line, ctx);
      if ("output" in r) output = r.output;
    } else if (rate.admit()) ctx.report.log("INFO", line);
  };
  const onStderr = (line: string) => {
    if (rate.admit()) ctx.report.log("WARNING", line);
  };

  // Backpressure: pause both pipes while the reporter's buffer is full.
  let paused = false;
  const pauseIfFull = () => {
    if (paused || !ctx.report.full || !ctx.report.drained) return;
    paused = true;
    child.stdout.pause();
    child.stderr.pause();
    void ctx.report.drained().then(() => {
      paused = false;
      child.stdout.resume();
      child.stderr.resume();
    });
  };
  for (const [stream, onLine] of [
    [child.stdout, onStdout],
    [child.stderr, onStderr],
  ] as const) {
    const lines = new LineSplitter(e.SIGNALBOX_COMMAND_MAX_LINE_BYTES, onLine);
    stream.on("data", (chunk: Buffer) => {
      lines.push(chunk);
      pauseIfFull();
    });
    stream.on("end", () => lines.end());
  }

  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    signalGroup(child.pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`cannot start ${cfg.argv[0]}: ${err.message}`)));
    child.on("exit", () => {
      // The group may outlive its leader (a background child holding the pipes open): end it.
      signalGroup(child.pid, "SIGKILL");
      // A process that left the group (setsid) may still hold the pipes: stop reading soon.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, KILL_GRACE_MS).unref();
    });
    child.on("close", (c, sig) => resolve(sig ? null : c));
  }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
    clearTimeout(killTimer);
    clearInterval(dropNotices);
    sayDropped();
  });
  if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
  if (code !== 0) throw new Error(code === null ? "killed by a signal" : `exited with code ${code}`);
  return { type: "succeeded", output: output ?? { exitCode: 0 } };
};
