import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-embedded-"));
fs.chmodSync(dataDir, 0o755);
const children: ChildProcess[] = [];

/** A worker process on the embedded database (no DATABASE_URL); resolves once it runs. */
function worker(): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, SIGNALBOX_DATA_DIR: dataDir, LOG_LEVEL: "info" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "cli/worker.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 60_000);
    child.stdout!.on("data", () => {
      if (out.includes("worker started")) {
        clearTimeout(t);
        resolve({ child, output: () => out });
      }
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}):\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

afterAll(async () => {
  await Promise.all(children.map(stop));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded PostgreSQL", () => {
  it("initialises once; a second process on the same data dir joins it; a restart reuses the data", async () => {
    const a = await worker();
    expect(a.output()).toContain("initialising embedded PostgreSQL");
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(a.output())?.[1];
    expect(port).toBeTruthy();

    const b = await worker();
    expect(b.output()).not.toContain("initialising");
    expect(b.output()).toContain(`joining embedded PostgreSQL on port ${port}`);

    await stop(b.child);
    await stop(a.child);
    const c = await worker();
    expect(c.output()).not.toContain("initialising");
    expect(c.output()).toContain("embedded PostgreSQL listening");
    expect(c.output()).not.toContain("migrations applied");
    await stop(c.child);
  }, 120_000);
});
