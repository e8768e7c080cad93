import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createToken } from "../../lib/auth/tokens";
import { createDb } from "../../lib/db/client";
import { databaseUrl } from "./helpers";

/**
 * SPEC §2 start behaviour of the real server process: fatal start errors are one plain
 * sentence on stderr with a non-zero exit; a generated admin token is printed in full only
 * by the start that created it and only to a terminal; logs are readable on a terminal.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
const databases: string[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-banner-"));
  fs.chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SIGNALBOX_NO_NEXT: "1", LOG_LEVEL: "info" };
  for (const k of Object.keys(env)) if (k.startsWith("SIGNALBOX_") && k !== "SIGNALBOX_NO_NEXT") delete env[k];
  return { ...env, ...extra };
}

/** Start server.ts and wait for it to exit by itself. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: ROOT,
    env: baseEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** server.ts under a pseudo-terminal (`script`): returns the screen text once it serves, then stops it. */
async function runOnTerminal(env: Record<string, string>, port: number): Promise<string> {
  const cmd = `${process.execPath} --import tsx server.ts`;
  const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
    cwd: ROOT,
    env: baseEnv({ ...env, PORT: String(port) }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let screen = "";
  child.stdout.on("data", (d) => (screen += d));
  const exited = new Promise((r) => child.once("exit", r));
  const deadline = Date.now() + 60_000;
  while (!screen.includes("Signalbox is running at")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not start:\n${screen}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 200));
  child.kill("SIGTERM"); // script passes it on to the server
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  child.kill("SIGKILL");
  return screen;
}

/** A database of its own (the admin token is generated only where there is no admin yet). */
async function freshDatabase(): Promise<string> {
  const name = `sbx_banner_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: inject("adminUrl") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  databases.push(name);
  const u = new URL(inject("adminUrl"));
  u.pathname = `/${name}`;
  return u.toString();
}

afterAll(async () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: inject("adminUrl") });
  await admin.connect();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe("start errors", () => {
  it("a short SIGNALBOX_ADMIN_TOKEN: one sentence naming it, exit 1", async () => {
    const r = await runToExit({ DATABASE_URL: databaseUrl(), SIGNALBOX_ADMIN_TOKEN: "too-short-token" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      "Signalbox cannot start because of its environment (SIGNALBOX_ADMIN_TOKEN: must be at least 32 characters): fix these variables and start again.",
    ]);
  });

  it("a revoked SIGNALBOX_ADMIN_TOKEN: a clear start error, not a crash", async () => {
    const secret = `sbx_revoked_${randomBytes(16).toString("hex")}`;
    const db = createDb(databaseUrl());
    const { token } = await createToken(db, { namespace: "default", name: "old-admin", role: "ADMIN", secret });
    await db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    await db.$disconnect();
    const r = await runToExit({
      DATABASE_URL: databaseUrl(),
      SIGNALBOX_ADMIN_TOKEN: secret,
      SIGNALBOX_DATA_DIR: tempDir(),
      PORT: String(await freePort()),
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "SIGNALBOX_ADMIN_TOKEN names a token that was revoked or has expired: unset it, or set a new one of at least 32 characters, and start again.",
    );
    expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it("an unreachable DATABASE_URL: where and what to do, never the password", async () => {
    const r = await runToExit({ DATABASE_URL: "postgres://someone:hunter2secret@127.0.0.1:1/nowhere" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "Cannot connect to PostgreSQL at 127.0.0.1:1/nowhere (nothing is listening there): check DATABASE_URL and that the server runs, or unset DATABASE_URL to use the embedded database.",
    );
    expect(r.stderr + r.stdout).not.toContain("hunter2secret");
  });
});

describe("start banner", () => {
  it("prints a generated admin token once, on a terminal, with readable logs; later starts point to the file", async () => {
    const url = await freshDatabase();
    const dataDir = tempDir();
    const first = await runOnTerminal({ DATABASE_URL: url, SIGNALBOX_DATA_DIR: dataDir }, await freePort());
    const secret = fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
    expect(fs.statSync(path.join(dataDir, "admin-token")).mode & 0o777).toBe(0o600);
    expect(first).toMatch(new RegExp(`Log in: http://127\\.0\\.0\\.1:\\d+/login#token=${secret}`));
    expect(first).toContain(`Admin token: ${secret} (shown once`);
    // pino-pretty on a terminal: a level word, no JSON objects.
    expect(first).toMatch(/INFO.*migrations applied/);
    expect(first).not.toContain('{"level"');

    const second = await runOnTerminal({ DATABASE_URL: url, SIGNALBOX_DATA_DIR: dataDir }, await freePort());
    expect(second).not.toContain(secret);
    expect(second).toContain("with the admin token in");
  }, 120_000);
});
