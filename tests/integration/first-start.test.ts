import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * SPEC §2 "First start works for everyone", tried the way it broke: the checkout copied
 * into a private (0700) directory — as root in CI, like a clone under /root — then
 * `npm start` with no database, exactly as the README says. The dependencies are a
 * hard-linked copy of ours plus the postinstall step (a real `npm ci` needs the registry
 * and a minute), so the
 * embedded PostgreSQL binaries sit inside the private directory too.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const parent = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-first-start-"));
const checkout = path.join(parent, "signalbox");
const children: ChildProcess[] = [];

function copyCheckout(): void {
  // Tracked and untracked-but-not-ignored files: the checkout as a clone would have it.
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
    fs.copyFileSync(from, path.join(checkout, file));
  }
  execFileSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(checkout, "node_modules")]);
  // What `npm install` runs after installing (postinstall: the Prisma client).
  execFileSync("npm", ["run", "postinstall"], { cwd: checkout, stdio: "ignore" });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function npmStart(port: number): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: "info" };
  for (const k of Object.keys(env)) if (k === "DATABASE_URL" || k.startsWith("SIGNALBOX_")) delete env[k];
  const child = spawn("npm", ["start"], { cwd: checkout, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function healthy(port: number, s: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`npm start exited ${s.child.exitCode}:\n${s.out()}\n${s.err()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not healthy after ${timeoutMs} ms:\n${s.out()}\n${s.err()}`);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM to the whole npm → node tree (as Ctrl-C would), then wait for every process of
 * it to be gone (npm exits at once; the server drains first); true when the server said
 * it stopped.
 */
async function stop(s: Started): Promise<boolean> {
  const pid = s.child.pid;
  if (!pid) return false;
  if (groupAlive(pid)) process.kill(-pid, "SIGTERM");
  const deadline = Date.now() + 40_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await s.exited;
  return s.out().includes('"msg":"stopped"');
}

afterAll(async () => {
  for (const c of children) if (c.pid && groupAlive(c.pid)) process.kill(-c.pid, "SIGKILL");
  const link = path.join(checkout, ".data", "postgres");
  const real = fs.existsSync(link) ? fs.realpathSync(link) : null;
  fs.rmSync(parent, { recursive: true, force: true });
  if (real && !real.startsWith(parent)) fs.rmSync(real, { recursive: true, force: true });
});

describe("first start in a private directory", () => {
  it("builds and serves on an embedded PostgreSQL, restarts without rebuilding, and says plainly when it cannot start", async () => {
    expect(fs.statSync(parent).mode & 0o777).toBe(0o700);
    copyCheckout();
    const port = await freePort();

    const first = npmStart(port);
    await healthy(port, first, 300_000);
    expect(first.out()).toContain("Building the web app");
    expect(first.out()).toContain(`Signalbox is running at http://127.0.0.1:${port}`);
    // Not a terminal: the generated admin token is kept in the data dir, not printed.
    const tokenFile = path.join(checkout, ".data", "admin-token");
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(tokenFile, "utf8").trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(first.out()).toContain("with the admin token in .data/admin-token");
    expect(first.out() + first.err()).not.toContain(token);
    // Logs are JSON when stdout is not a terminal.
    const logLine = first
      .out()
      .split("\n")
      .find((l) => l.startsWith("{"));
    expect(JSON.parse(logLine ?? "null")).toMatchObject({ level: 30 });

    // The app works: the examples are registered, pages render.
    const res = await fetch(`http://127.0.0.1:${port}/api/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ pipelines { name } }" }),
    });
    const body = (await res.json()) as { data: { pipelines: { name: string }[] } };
    expect(body.data.pipelines.map((p) => p.name)).toContain("hello-gate");
    expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(200);
    expect(await stop(first)).toBe(true);

    // An unchanged checkout starts again without a build, in seconds.
    const t0 = Date.now();
    const second = npmStart(port);
    await healthy(port, second, 60_000);
    const restartMs = Date.now() - t0;
    expect(second.out()).toContain("build is up to date");
    expect(second.out()).not.toContain("Building the web app");
    expect(second.out()).not.toContain(token);
    expect(restartMs).toBeLessThan(45_000); // a build alone takes longer here; typically ~5 s

    // A fatal start error: one plain sentence on stderr, a non-zero exit.
    const third = npmStart(port);
    const code = await third.exited;
    expect(code).not.toBe(0);
    const sentence = third
      .err()
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("npm "))
      .join("\n");
    expect(sentence).toBe(
      `Port ${port} on 127.0.0.1 is already in use: stop the other process or start with PORT=<another port>.`,
    );
    expect(await stop(second)).toBe(true);
  }, 420_000);

  it.runIf(process.getuid?.() === 0)(
    "starts as a normal user with a private data dir of its own",
    async () => {
      // The API server alone (no build needed) as `nobody`, its data dir a 0700 directory it owns.
      // From the copy: the checkout itself may sit in a 0700 directory nobody cannot enter.
      if (!fs.existsSync(checkout)) copyCheckout();
      const dataDir = path.join(parent, "nobody-data");
      fs.mkdirSync(dataDir, { mode: 0o700 });
      fs.chownSync(parent, 0, 0);
      fs.chmodSync(parent, 0o711); // traversable, not listable: like a home with o+x
      fs.chownSync(dataDir, 65534, 65534);
      const port = await freePort();
      const env = { PATH: process.env.PATH, HOME: dataDir, LOG_LEVEL: "info" } as unknown as NodeJS.ProcessEnv;
      Object.assign(env, { PORT: String(port), SIGNALBOX_DATA_DIR: dataDir, SIGNALBOX_NO_NEXT: "1" });
      const child = spawn(
        "setpriv",
        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "--import", "tsx", "server.ts"],
        { cwd: checkout, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      children.push(child);
      let out = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (out += d));
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await healthy(port, { child, out: () => out, err: () => "", exited: exited as Promise<number | null> }, 90_000);
      const pgDir = path.join(dataDir, "postgres");
      expect(fs.lstatSync(pgDir).isDirectory()).toBe(true); // in place: no link needed for a normal user
      expect(fs.statSync(pgDir).uid).toBe(65534);
      expect(out).toContain("with the admin token in");
      if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, "SIGTERM");
      await exited;
      expect(out).toContain('"msg":"stopped"');
    },
    120_000,
  );
});
