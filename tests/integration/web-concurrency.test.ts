/**
 * SIGNALBOX_WEB_CONCURRENCY=2 on the embedded database (no DATABASE_URL): one supervisor,
 * two server processes sharing the port, one PostgreSQL started once by the supervisor. A
 * process killed with -9 is replaced while the other keeps serving; SIGTERM stops every
 * process and the database.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "./hardening-helpers";
import { freePort } from "./nginx";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-cluster-"));
fs.chmodSync(dataDir, 0o755);
let primary: ChildProcess | undefined;

afterAll(async () => {
  if (primary && primary.exitCode === null) {
    primary.kill("SIGTERM");
    await new Promise((r) => primary?.once("exit", r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Direct children of `pid` with their command lines. */
function children(pid: number): { pid: number; cmd: string }[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" }).trim();
  return out
    ? out.split("\n").map((l) => {
        const [p, ...cmd] = l.trim().split(/\s+/);
        return { pid: Number(p), cmd: cmd.join(" ") };
      })
    : [];
}
const servers = (pid: number) => children(pid).filter((c) => c.cmd.includes("server.ts"));
const postgres = (pid: number) => children(pid).filter((c) => /\/postgres\s/.test(`${c.cmd} `));

describe("SIGNALBOX_WEB_CONCURRENCY", () => {
  it("two processes share the port over one embedded PostgreSQL; a killed one is replaced; SIGTERM stops all", async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SIGNALBOX_DATA_DIR: dataDir,
      SIGNALBOX_WEB_CONCURRENCY: "2",
      SIGNALBOX_NO_NEXT: "1",
      SIGNALBOX_IN_PROCESS_WORKER: "0",
      PORT: String(port),
      LOG_LEVEL: "info",
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    primary = child;
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    await eventually(async () => out.includes("Signalbox is running at"), 120_000, `the banner:\n${out}`);
    // One banner, for both processes.
    expect(out.match(/Signalbox is running at/g)).toHaveLength(1);
    expect(out).toContain(`Signalbox is running at http://127.0.0.1:${port} (2 processes)`);
    const pid = child.pid as number;
    const first = servers(pid);
    expect(first).toHaveLength(2);
    // The supervisor started PostgreSQL once; no server process started or joined one.
    expect(postgres(pid)).toHaveLength(1);
    expect(out.match(/initialising embedded PostgreSQL/g)).toHaveLength(1);
    expect(out).not.toContain("joining embedded PostgreSQL");
    // A new connection per request (agent: false): a kept-alive one may belong to the process
    // killed below. A connection the supervisor hands to a process at the instant it dies is
    // lost (node:cluster), so like any client this one gives up after a few seconds.
    const get = (p: string) =>
      new Promise<{ status: number }>((resolve) => {
        const req = http.get(`http://127.0.0.1:${port}${p}`, { agent: false, timeout: 5_000 }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", () => resolve({ status: 0 }));
      });
    expect((await get("/api/ready")).status).toBe(200);

    // kill -9 one: the other keeps serving the port; the supervisor starts a replacement.
    process.kill(first[0].pid, "SIGKILL");
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get("/api/health")).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(9);
    // …and the replacement listens (the supervisor logs it), so SIGTERM below meets two
    // processes that are both serving.
    await eventually(
      async () => {
        const now = servers(pid).filter((s) => s.pid !== first[0].pid);
        const listening = [...out.matchAll(/"serverPid":(\d+)[^\n]*"msg":"server process listening"/g)].map((m) =>
          Number(m[1]),
        );
        return now.length === 2 && now.every((s) => listening.includes(s.pid));
      },
      90_000,
      "a replacement server process",
    ).catch((err) => {
      throw new Error(`${err.message}; output:\n${out.slice(-3000)}`);
    });
    expect(postgres(pid)).toHaveLength(1);

    // SIGTERM: every server process drains, then the database stops; the supervisor exits 0.
    const pgPid = postgres(pid)[0].pid;
    const serverPids = servers(pid).map((s) => s.pid);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect([...serverPids, pgPid].filter(alive)).toEqual([]);
  }, 300_000);
});
