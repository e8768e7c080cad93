/**
 * Real processes for the GraphQL API tests: `server.ts` (API only:
 * SIGNALBOX_NO_NEXT=1, so no `next build` is needed) and `cli/worker.ts` as child
 * processes on the test database, and tokens per role in a fresh namespace.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createToken, type Role } from "../../lib/auth/tokens";
import { createDb, type Db } from "../../lib/db/client";
import type { Endpoint } from "./graphql-clients";
import { databaseUrl } from "./helpers";

export * from "./graphql-clients";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const ADMIN_TOKEN = "sbx_test_admin_token_graphql_0123456789";

export interface Proc {
  child: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
}

function spawnTs(entry: string, env: Record<string, string>, readyLine: RegExp): Promise<Proc & { match: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-gql-"));
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      SIGNALBOX_DATA_DIR: dataDir,
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGNALBOX_LEASE_MS: "3000",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    }).finally(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = readyLine.exec(out);
      if (m) resolve({ child, stop, match: m[1] ?? m[0], output: () => out });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.SBX_TEST_VERBOSE) process.stderr.write(d);
    });
    child.once("exit", (code) => reject(new Error(`${entry} exited early (${code}):\n${out.slice(-2000)}`)));
  });
}

export interface ServerProc extends Proc, Endpoint {}

/** Start `server.ts` on a free port. `worker: false` leaves node execution to other processes. */
export async function startServer(opts: { worker?: boolean; env?: Record<string, string> } = {}): Promise<ServerProc> {
  const p = await spawnTs(
    "server.ts",
    { PORT: "0", SIGNALBOX_NO_NEXT: "1", SIGNALBOX_IN_PROCESS_WORKER: opts.worker === false ? "0" : "1", ...opts.env },
    /Signalbox is running at (http:\/\/\S+)/,
  );
  const url = p.match;
  return { ...p, url, api: `${url}/api/graphql`, wsUrl: `${url.replace("http", "ws")}/api/graphql` };
}

/** Start `npm run worker`'s entry point. */
export async function startWorker(): Promise<Proc> {
  return spawnTs("cli/worker.ts", { LOG_LEVEL: "info" }, /worker started/);
}

export interface Tokens {
  namespace: string;
  viewer: string;
  operator: string;
  admin: string;
}

/** A fresh namespace with one token per role. */
export async function makeTokens(db: Db, namespace = `gql-${randomUUID().slice(0, 8)}`): Promise<Tokens> {
  const make = async (role: Role) =>
    (await createToken(db, { namespace, name: `${role.toLowerCase()}-test`, role })).secret;
  return { namespace, viewer: await make("VIEWER"), operator: await make("OPERATOR"), admin: await make("ADMIN") };
}

export const testDb = () => createDb(databaseUrl(), { max: 4 });

export interface TestServer {
  server: ServerProc;
  db: Db;
  /** A fresh namespace's VIEWER / OPERATOR / ADMIN tokens. */
  t: Tokens;
}

/**
 * The usual setup of a test file that drives the real server: a database client, a fresh
 * namespace with its tokens, and one server process, started before the file's tests
 * (`ready` then runs, for the file's own setup) and stopped after them.
 */
export function serveForTests(
  opts: Parameters<typeof startServer>[0],
  ready: (h: TestServer) => void | Promise<void>,
): void {
  let h: Partial<TestServer> = {};
  beforeAll(async () => {
    const db = testDb();
    h = { db };
    const t = await makeTokens(db);
    h = { db, t, server: await startServer(opts) };
    await ready(h as TestServer);
  });
  afterAll(async () => {
    await h.server?.stop();
    await h.db?.$disconnect();
  });
}
