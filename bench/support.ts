/**
 * Shared machinery of the SPEC §9 benchmarks: a database (embedded PostgreSQL in a temp
 * dir, or a fresh database inside DATABASE_URL's server), the real `server.ts` as a child
 * process (API only), helper child processes (client fleets, raw baselines), process
 * CPU/RSS readings from /proc, statistics and the JSON report. Everything listens and
 * connects on 127.0.0.1 only, and everything started here is stopped by `cleanup()` —
 * also on SIGINT/SIGTERM and on failure.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import WebSocket from "ws";
import { ensureNamespace, hashToken, newSecret } from "../lib/auth/tokens";
import { createDb, type Db } from "../lib/db/client";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { applyMigrations } from "../lib/db/schema-engine";
import { nowMs, Rpc } from "./ipc";

export { nowMs };

const ROOT = path.resolve(import.meta.dirname, "..");

// ---------------------------------------------------------------------------------------
// Cleanup

const cleanups: (() => Promise<void> | void)[] = [];

/** Run `fn` (LIFO) when the bench ends, however it ends. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

async function cleanup(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      console.error("cleanup failed:", err);
    }
  }
}

/** Run a bench's main, print nothing but its report on stdout, always clean up. */
export function runBench(main: () => Promise<void>): void {
  let exiting = false;
  const bail = (signal: string) => {
    if (exiting) return;
    exiting = true;
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", () => bail("SIGINT"));
  process.on("SIGTERM", () => bail("SIGTERM"));
  main()
    .then(cleanup)
    .then(
      () => process.exit(0),
      async (err) => {
        console.error(err);
        await cleanup();
        process.exit(1);
      },
    );
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // the postgres user must reach it when benches run as root
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------
// Database

/**
 * A migrated database for this bench: embedded PostgreSQL in a temp dir, or (with
 * DATABASE_URL) a fresh database inside that server, dropped afterwards — the server
 * child seeds a namespace, tokens and example pipelines, which must not land in yours.
 */
export async function startDatabase(): Promise<string> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = tempDir("sbx-bench-");
    const embedded = await startEmbeddedPostgres(dir);
    onCleanup(() => embedded.stop());
    adminUrl = embedded.url;
  }
  const name = `signalbox_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  onCleanup(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await c.end();
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await applyMigrations(url);
  return url;
}

/** A Prisma client (closed at cleanup). */
export function benchDb(url: string, max = 4): Db {
  const db = createDb(url, { max });
  onCleanup(() => db.$disconnect());
  return db;
}

/**
 * A namespace, `tokens` VIEWER tokens in it (one per simulated client, as each browser
 * session has its own: the server rate-limits operations per token), and `n` empty
 * RUNNING runs created directly in the table.
 */
export async function setupRuns(
  db: Db,
  n: number,
  tokens = 1,
): Promise<{ namespace: string; token: string; tokens: string[]; runIds: string[] }> {
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  await ensureNamespace(db, namespace);
  const secrets = Array.from({ length: tokens }, () => newSecret());
  await db.apiToken.createMany({
    data: secrets.map((s, i) => ({ namespace, name: `bench-${i}`, role: "VIEWER" as const, tokenHash: hashToken(s) })),
  });
  const runIds = Array.from({ length: n }, () => randomUUID());
  for (let i = 0; i < n; i += 1000) {
    await db.run.createMany({
      data: runIds
        .slice(i, i + 1000)
        .map((id) => ({ id, namespace, spec: {}, params: {}, status: "RUNNING" as const })),
    });
  }
  return { namespace, token: secrets[0], tokens: secrets, runIds };
}

/** The benches' live selection: LOG events as a log tail shows them. */
export const LOG_SUBSCRIPTION = /* GraphQL */ `
  subscription Tail($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) {
      seq type at
      ... on LogEvent { level message nodeKey }
    }
  }`;

/** A LOG event payload like the engine's log ingest writes. */
export function logPayload(i: number) {
  return { level: "INFO", message: `line ${i}: the quick brown fox jumps over the lazy dog`, nodeKey: "train" };
}

// ---------------------------------------------------------------------------------------
// Processes

export interface Child {
  child: ChildProcess;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves on exit. */
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
}

export interface ServerChild extends Child {
  url: string;
  wsUrl: string;
  /** The server's ADMIN token (/api/metrics needs it). */
  adminToken: string;
  /** The V8 inspector's WebSocket (with `inspect: true`). */
  inspectorUrl?: string;
}

/**
 * The real `server.ts` (API only: SIGNALBOX_NO_NEXT=1, no in-process worker) on a free
 * port. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of it there on exit.
 */
export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  opts: { inspect?: boolean } = {},
): Promise<ServerChild> {
  const dataDir = tempDir("sbx-bench-srv-");
  const adminToken = env.SIGNALBOX_ADMIN_TOKEN ?? `sbx_bench_admin_${randomUUID()}`;
  const nodeArgs: string[] = opts.inspect ? ["--inspect=127.0.0.1:0"] : [];
  if (process.env.BENCH_CPU_PROF) {
    fs.mkdirSync(process.env.BENCH_CPU_PROF, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`);
  }
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      SIGNALBOX_NO_NEXT: "1",
      SIGNALBOX_IN_PROCESS_WORKER: "0",
      SIGNALBOX_DATA_DIR: dataDir,
      // The benches open up to thousands of connections and subscriptions with one token
      // from one address: lift the caps (README "Security and limits").
      SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN: "0",
      SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS: "0",
      SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN: "0",
      LOG_LEVEL: "warn",
      ...env,
      SIGNALBOX_ADMIN_TOKEN: adminToken,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = stopper(child);
  onCleanup(stop);
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Signalbox is running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    child.once("exit", (code) => reject(new Error(`server.ts exited early (${code}):\n${out.slice(-2000)}`)));
  });
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(out)?.[1];
  return {
    child,
    pid: child.pid!,
    stop,
    url,
    wsUrl: `${url.replace("http", "ws")}/api/graphql`,
    inspectorUrl,
    adminToken,
  };
}

/** A helper process (bench/*.ts) with an IPC channel. */
export function forkHelper(entry: string, nodeArgs: string[] = []): Child & { rpc: Rpc } {
  // BENCH_CPU_PROF_HELPERS=<dir>: CPU profiles of the helpers too (raw baselines, clients).
  const prof = process.env.BENCH_CPU_PROF_HELPERS;
  if (prof) nodeArgs = [...nodeArgs, "--cpu-prof", `--cpu-prof-dir=${path.resolve(prof)}`];
  const child = fork(path.join(ROOT, "bench", entry), [], {
    cwd: ROOT,
    execArgv: [...nodeArgs, "--import", "tsx"],
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", process.stderr, "inherit", "ipc"], // stdout is the report's
  });
  const stop = stopper(child);
  onCleanup(stop);
  return { child, pid: child.pid!, stop, rpc: new Rpc(child) };
}

// ---------------------------------------------------------------------------------------
// Measurements

const CLK_TCK = 100; // Linux USER_HZ

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size of a process in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/**
 * The server's Prometheus metrics (`/api/metrics`) as `name{labels}` → value, or null when
 * the server has no such endpoint.
 */
export async function serverMetrics(server: { url: string; adminToken?: string }): Promise<Map<string, number> | null> {
  const headers: Record<string, string> = server.adminToken ? { authorization: `Bearer ${server.adminToken}` } : {};
  const res = await fetch(`${server.url}/api/metrics`, { headers }).catch(() => null);
  if (!res?.ok) return null;
  const out = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Sum of a metric over all its label sets. */
export function metricSum(m: Map<string, number> | null, name: string): number | null {
  if (!m) return null;
  let sum = 0;
  let found = false;
  for (const [k, v] of m) {
    if (k === name || k.startsWith(`${name}{`)) {
      sum += v;
      found = true;
    }
  }
  return found ? sum : null;
}

/**
 * The V8 heap in use after a full garbage collection, read through the inspector
 * protocol of a process started with `--inspect` (a measuring instrument outside the
 * program: nothing in the server's code is involved).
 */
export async function heapAfterGc(inspectorUrl: string): Promise<number> {
  const ws = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((resolve) => {
      const my = ++id;
      const onMessage = (data: Buffer) => {
        const m = JSON.parse(data.toString()) as { id?: number; result: Record<string, number> };
        if (m.id !== my) return;
        ws.off("message", onMessage);
        resolve(m.result);
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id: my, method }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    return (await call("Runtime.getHeapUsage")).usedSize;
  } finally {
    ws.close();
  }
}

/** CPU use of processes over a window, as a share of one core. */
export function cpuMeter(pids: Record<string, number>) {
  const t0 = performance.now();
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  return () => {
    const secs = (performance.now() - t0) / 1000;
    return Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, Number(((cpuSeconds(pid) - start[k]) / secs).toFixed(2))]),
    );
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const round = (x: number, digits = 1) => Number(x.toFixed(digits));

export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`);
  return Math.floor(n);
}

const started = performance.now();

/** Progress on stderr (stdout is the report's). */
export function phase(what: string): void {
  console.error(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${what}`);
}

/** Print the report (the only thing a bench writes to stdout). */
/**
 * One SPEC §9 bar as `npm run bench` tabulates it (bench/all.ts): Signalbox's figure, the
 * baseline measured in the same run (null for bars that are absolute), their ratio and
 * the target it is held to. Every bench reports its bars as `bars: Bar[]` in its JSON.
 */
export interface Bar {
  bar: string;
  signalbox: string;
  baseline: string | null;
  ratio: number | null;
  target: string;
  pass: boolean;
}

/** A ratio bar: `ratio = signalbox / baseline`, held to `<= max` or `>= min`. */
export function ratioBar(
  bar: string,
  signalbox: number,
  baseline: number,
  unit: string,
  limit: { max: number } | { min: number },
): Bar {
  const ratio = round(signalbox / baseline, 2);
  const fmt = (x: number) => `${round(x, x >= 100 ? 0 : 1)} ${unit}`;
  return {
    bar,
    signalbox: fmt(signalbox),
    baseline: fmt(baseline),
    ratio,
    target: "max" in limit ? `<= ${limit.max}x` : `>= ${limit.min}x`,
    pass: Number.isFinite(ratio) && ("max" in limit ? ratio <= limit.max : ratio >= limit.min),
  };
}

export function report(r: Record<string, unknown>): void {
  const machine = {
    cpus: os.cpus().length,
    node: process.version,
    // Other work on the machine skews every figure: the 1-minute load average at the end.
    loadAverage1m: round(os.loadavg()[0], 2),
  };
  console.log(JSON.stringify({ ...r, durationSeconds: round((performance.now() - started) / 1000), machine }, null, 2));
}

/**
 * Offer events at `rate`/s for `durationMs`: ticks of 10 ms (or one event per tick below
 * 100/s), each awaiting `emit(n, firstIndex)`. A slow `emit` delays later ticks (never
 * bursts to catch up beyond one tick). Returns the rate actually achieved.
 */
export async function pace(
  rate: number,
  total: number,
  emit: (n: number, first: number) => Promise<void>,
  onTick?: (elapsedMs: number) => void,
): Promise<{ t0: number; achievedPerSec: number }> {
  const perTick = rate >= 100 ? Math.round(rate / 100) : 1;
  const tickMs = (perTick * 1000) / rate;
  const t0 = nowMs();
  let sent = 0;
  for (let k = 0; sent < total; k++) {
    const due = t0 + k * tickMs - nowMs();
    if (due > 0) await sleep(due);
    const n = Math.min(perTick, total - sent);
    onTick?.(nowMs() - t0);
    await emit(n, sent);
    sent += n;
  }
  return { t0, achievedPerSec: total / ((nowMs() - t0) / 1000) };
}
