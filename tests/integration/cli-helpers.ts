/**
 * The built `signalbox` CLI (sdk/dist/cli/main.js) as a user runs it: a real process with
 * its own HOME / XDG_CONFIG_HOME, talking to the test server.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const CLI = path.join(ROOT, "sdk/dist/cli/main.js");

/** Build sdk/dist when a source is newer than the built CLI (the tests run what is in src/). */
export function ensureBuilt(): void {
  const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs;
      }),
    );
  if (newest(path.join(ROOT, "sdk/src")) > built)
    execFileSync("npm", ["run", "sdk:build"], { cwd: ROOT, stdio: "pipe" });
}

/** A home of its own for the CLI's config. */
export function cliHome(): { dir: string; env: Record<string, string>; configFile: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-cli-home-"));
  const xdg = path.join(dir, "xdg");
  return {
    dir,
    env: { HOME: dir, XDG_CONFIG_HOME: xdg },
    configFile: path.join(xdg, "signalbox", "config.json"),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout (or stderr with `stream`). */
  waitFor(re: RegExp, opts?: { stream?: "stdout" | "stderr"; timeoutMs?: number }): Promise<RegExpExecArray>;
  done: Promise<CliResult>;
}

/** Start `signalbox …` with exactly `env` (plus PATH): nothing leaks in from the test's environment. */
export function startCli(args: string[], env: Record<string, string | undefined>, input?: string): CliProc {
  // Only these variables: none of the test's SIGNALBOX_* or config leaks into the CLI.
  const only = { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", ...env };
  const child = spawn(process.execPath, [CLI, ...args], {
    env: only as unknown as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of waiters) w();
  };
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    poke();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    poke();
  });
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  const done = new Promise<CliResult>((resolve) =>
    child.once("close", (code, signal) => {
      poke();
      resolve({ code, signal, stdout: out, stderr: err });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(re, opts = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(opts.stream === "stderr" ? err : out);
          if (m) {
            cleanup();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`signalbox ${args.join(" ")} ended before ${re}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${re} from signalbox ${args.join(" ")}:\n${out}\n${err}`));
        }, opts.timeoutMs ?? 20_000);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Run `signalbox …` to its end. */
export function cli(args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> {
  return startCli(args, env, input).done;
}

/** A TCP port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Write `text` to `name` in `dir`; answers its path. */
export function writeSpec(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
