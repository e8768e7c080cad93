import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { databaseUrl } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Start `npm run worker`'s entry point as a real child process on the test database. */
export function startWorkerProcess(env: Record<string, string> = {}): ChildProcess & { ready: Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/worker.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      SIGNALBOX_LEASE_MS: "1500",
      SIGNALBOX_ALLOW_COMMANDS: "1",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    let buf = "";
    child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("worker started")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
  });
  ready.catch(() => {});
  return Object.assign(child, { ready });
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
