import { spawn } from "node:child_process";
import readline from "node:readline";
import { isSignalboxError } from "../errors.js";
import { createWorker, type Job } from "../worker.js";
import { invalidCommandMessage, parseWorkflowCommand } from "../workflow-commands.js";

export interface CommandWorkerOptions {
  url: string;
  token: string;
  queue: string;
  concurrency?: number;
  leaseMs?: number;
  /** The program and its arguments, run once per claimed node. */
  command: string[];
}

/** Between SIGTERM and SIGKILL of a job's process group. */
const KILL_GRACE_MS = 2_000;
/** The tail of stderr a failure carries. */
const STDERR_TAIL = 2_000;

/**
 * `signalbox worker --queue Q -- <command>`: each claimed node runs `<command>` once, in its
 * own process group, with the node's input as JSON on stdin and SIGNALBOX_RUN_ID /
 * SIGNALBOX_NODE_KEY / SIGNALBOX_ATTEMPT in its environment. Its stdout speaks the
 * `command` node's workflow commands (the same parser); other lines are logs. Exit 0
 * completes the node (with the last `::output`), non-zero fails it with the tail of
 * stderr; a cancel or a lost lease kills the group (SIGTERM, then SIGKILL). SIGTERM or
 * SIGINT stops the worker gracefully (a second one stops it now). Resolves with the exit code.
 */
export async function commandWorker(opts: CommandWorkerOptions): Promise<number> {
  if (opts.command.length === 0) {
    console.error("signalbox worker: give the command to run after --, e.g. signalbox worker --queue q -- ./score.sh");
    return 4;
  }
  let fatal: unknown = null;
  const worker = createWorker({
    url: opts.url,
    token: opts.token,
    queue: opts.queue,
    concurrency: opts.concurrency,
    leaseMs: opts.leaseMs,
    handler: (job) => runCommand(opts.command, job),
    onError: (err, job) => {
      if (isSignalboxError(err, "UNAUTHENTICATED") || isSignalboxError(err, "FORBIDDEN")) fatal = err;
      const where = job ? ` (${job.nodeKey} of run ${job.runId})` : "";
      console.error(`signalbox worker: ${(err as Error).message ?? err}${where}`);
    },
  });
  return new Promise<number>((resolve) => {
    let signals = 0;
    const stop = (deadlineMs: number) =>
      worker.stop({ deadlineMs }).then(() => resolve(fatal ? 4 : signals > 0 ? 0 : 1));
    const onSignal = () => {
      signals++;
      if (signals === 1) console.error("signalbox worker: stopping (running jobs finish; again to stop now)");
      void stop(signals === 1 ? 30_000 : 0);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    console.error(`signalbox worker: waiting for work on queue "${opts.queue}"`);
    void worker.start();
    // An auth failure ends the claim loop: stop and say so.
    const check = setInterval(() => {
      if (fatal) {
        clearInterval(check);
        void stop(0);
      }
    }, 200);
    check.unref();
  });
}

/** Run the command for one job; resolves with its `::output`, rejects with its failure. */
function runCommand(command: string[], job: Job): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      detached: true, // its own process group: a kill reaches everything it started
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        SIGNALBOX_RUN_ID: job.runId,
        SIGNALBOX_NODE_KEY: job.nodeKey,
        SIGNALBOX_ATTEMPT: String(job.attempt),
      },
    });
    let output: unknown = null;
    let stderr = "";
    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
    };
    job.signal.addEventListener("abort", onAbort, { once: true });
    child.stdin.on("error", () => {}); // a command that does not read its input
    child.stdin.end(`${JSON.stringify(job.input ?? null)}\n`);
    readline.createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
      const c = parseWorkflowCommand(line);
      switch (c.type) {
        case "log":
          return job.log(c.line);
        case "progress":
          return job.progress(c.value);
        case "cost":
          return job.cost(c.value);
        case "metric":
          return job.metric(c.name, c.value);
        case "output":
          output = c.value;
          return;
        case "result":
          return job.result(c.row);
        case "invalid":
          return job.log(invalidCommandMessage(c), "WARNING");
      }
    });
    readline.createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
      stderr = (stderr + line + "\n").slice(-STDERR_TAIL);
      job.log(line, "WARNING");
    });
    child.on("error", (err) => reject(new Error(`cannot start ${command[0]}: ${err.message}`)));
    child.on("close", (code, signal) => {
      job.signal.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (code === 0) resolve(output);
      else {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new Error(`${command[0]} failed (${why})${stderr.trim() ? `: ${stderr.trim()}` : ""}`));
      }
    });
  });
}
