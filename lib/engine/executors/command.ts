import { spawn } from "node:child_process";
import readline from "node:readline";
import type { ExecContext, NodeExecutor } from "./types";

interface CommandConfig {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** Grace period between SIGTERM and SIGKILL on cancel or timeout. */
const KILL_GRACE_MS = 2_000;

/**
 * Parse one stdout line. Workflow commands (`::progress 0.4`, `::cost 0.12`,
 * `::metric name=value`, `::output {json}`, `::result {json row}`) report to the engine;
 * anything else is a log line. Returns the `::output` value when the line sets it.
 */
export function handleStdoutLine(line: string, ctx: Pick<ExecContext, "report">): { output?: unknown } {
  const m = /^::(progress|cost|metric|output|result)\s+(.*)$/.exec(line.trim());
  if (!m) {
    ctx.report.log("INFO", line);
    return {};
  }
  const [, cmd, arg] = m;
  try {
    switch (cmd) {
      case "progress":
        ctx.report.progress(num(arg));
        return {};
      case "cost":
        ctx.report.cost(num(arg));
        return {};
      case "metric": {
        const eq = arg.indexOf("=");
        if (eq < 1) throw new Error("expected name=value");
        ctx.report.metric(arg.slice(0, eq).trim(), num(arg.slice(eq + 1)));
        return {};
      }
      case "output":
        return { output: JSON.parse(arg) };
      case "result": {
        const row = JSON.parse(arg);
        if (!row || typeof row !== "object" || Array.isArray(row)) throw new Error("a result row is a JSON object");
        ctx.report.result(row);
        return {};
      }
    }
  } catch (e) {
    ctx.report.log("WARNING", `bad workflow command "${line.slice(0, 200)}": ${(e as Error).message}`);
  }
  return {};
}

function num(s: string): number {
  const n = Number(s.trim());
  if (!Number.isFinite(n)) throw new Error(`not a number: ${s}`);
  return n;
}

/** Run argv without a shell; exit 0 is success. SIGTERM then SIGKILL on abort. */
export const command: NodeExecutor = async (ctx) => {
  if (!ctx.settings.allowCommands)
    throw new Error("command nodes are disabled (SIGNALBOX_ALLOW_COMMANDS=1 enables them)");
  const cfg = ctx.spec.with as unknown as CommandConfig;
  const child = spawn(cfg.argv[0], cfg.argv.slice(1), {
    cwd: cfg.cwd,
    // A clean environment: the server's secrets (DATABASE_URL, tokens) must not leak into commands.
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      ...cfg.env,
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output: unknown;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    const r = handleStdoutLine(line, ctx);
    if ("output" in r) output = r.output;
  });
  readline.createInterface({ input: child.stderr }).on("line", (line) => ctx.report.log("WARNING", line));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, sig) => resolve(sig ? null : c));
  }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
    clearTimeout(killTimer);
  });
  if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
  if (code !== 0) throw new Error(code === null ? "killed by a signal" : `exited with code ${code}`);
  return { type: "succeeded", output: output ?? { exitCode: 0 } };
};
