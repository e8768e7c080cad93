import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { usage } from "./errors.js";
import type { Env } from "./format.js";

/** What `signalbox login` saves. */
export interface CliConfig {
  url?: string;
  token?: string;
}

/** Where a server is when nothing says otherwise (`npm start`'s address). */
export const DEFAULT_URL = "http://127.0.0.1:3000";

/** `$XDG_CONFIG_HOME/signalbox/config.json`, else `~/.config/signalbox/config.json`. */
export function configPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  return path.join(base ?? path.join(os.homedir(), ".config"), "signalbox", "config.json");
}

/** The saved config; `{}` when there is none. */
export function readConfig(file: string): CliConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw usage(`Cannot read ${file}: ${(err as Error).message}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usage(`${file} is not valid JSON: fix it or run "signalbox login" again.`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  const { url, token } = parsed as Record<string, unknown>;
  return { url: typeof url === "string" ? url : undefined, token: typeof token === "string" ? token : undefined };
}

/**
 * Save the config readable by its owner only: the directory 0700, the file 0600, written
 * to a temporary file first and renamed over the old one (never a half-written token).
 */
export function writeConfig(file: string, config: CliConfig): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const tmp = path.join(dir, `.config.json.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export interface Connection {
  url: string;
  token: string | undefined;
}

/**
 * The server and token to use: the config file, overridden by SIGNALBOX_URL /
 * SIGNALBOX_TOKEN, overridden by --url / --token.
 */
export function resolveConnection(flags: { url?: string; token?: string }, env: Env, config: CliConfig): Connection {
  const url = flags.url || env.SIGNALBOX_URL || config.url || DEFAULT_URL;
  const token = flags.token || env.SIGNALBOX_TOKEN || config.token || undefined;
  return { url: checkUrl(url), token };
}

/** An http(s) URL without a trailing slash; anything else is a usage error. */
export function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usage(`"${url}" is not a URL: pass a server address like ${DEFAULT_URL} (--url or SIGNALBOX_URL).`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw usage(`"${url}" is not an http(s) URL: pass a server address like ${DEFAULT_URL}.`);
  return url.replace(/\/+$/, "");
}
