/** Argument parsing helpers of the CLI (pure, unit-tested). */
import fs from "node:fs";
import YAML from "yaml";
import type { RunStatus } from "../generated.js";
import { usage } from "./errors.js";

/** `k=v` → `[k, v]`, the value parsed as JSON when it is JSON (`3`, `true`, `{"a":1}`), else the text. */
function parseParam(pair: string): [string, unknown] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw usage(`--param takes key=value, got "${pair}".`);
  const key = pair.slice(0, eq).trim();
  if (!key) throw usage(`--param takes key=value, got "${pair}".`);
  return [key, jsonOrText(pair.slice(eq + 1))];
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--params-file` (JSON or YAML, an object) merged under the `--param`s. */
export function buildParams(pairs: string[], file?: string): Record<string, unknown> | undefined {
  const params: Record<string, unknown> = file ? readParamsFile(file) : {};
  for (const pair of pairs) {
    const [k, v] = parseParam(pair);
    params[k] = v;
  }
  return file || pairs.length ? params : undefined;
}

function readParamsFile(file: string): Record<string, unknown> {
  const text = readText(file, "--params-file");
  let value: unknown;
  try {
    value = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw usage(`${file} is not valid ${/\.json$/i.test(file) ? "JSON" : "JSON or YAML"}: ${firstLine(err)}.`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw usage(`${file} must hold an object of params (key: value), not ${describe(value)}.`);
  return value as Record<string, unknown>;
}

/** A file's text; a missing or unreadable one is a usage error naming the flag. */
export function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw usage(`${what}: no such file ${file}.`);
    if (code === "EISDIR") throw usage(`${what}: ${file} is a directory.`);
    throw usage(`${what}: cannot read ${file} (${code ?? firstLine(err)}).`);
  }
}

export type RunTarget = { kind: "file"; path: string } | { kind: "pipeline"; name: string; version?: number };

const SPEC_FILE = /\.(ya?ml|json)$/i;

/**
 * `run`'s argument: a spec file (an existing file, or any name ending in .yaml/.yml/.json),
 * else a registered pipeline, `name` or `name@version`.
 */
export function parseTarget(arg: string, isFile: (p: string) => boolean = defaultIsFile): RunTarget {
  if (isFile(arg) || SPEC_FILE.test(arg) || arg.includes("/")) return { kind: "file", path: arg };
  const at = arg.lastIndexOf("@");
  if (at < 0) return { kind: "pipeline", name: arg };
  const name = arg.slice(0, at);
  const v = arg.slice(at + 1);
  if (!name || !/^[1-9]\d*$/.test(v))
    throw usage(`"${arg}" is neither a spec file nor pipeline[@version] (a version is 1, 2, 3…).`);
  return { kind: "pipeline", name, version: Number(v) };
}

function defaultIsFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A whole number ≥ `min` for option `flag`. */
export function parseCount(text: string, flag: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min)
    throw usage(`${flag} takes a whole number${min > 0 ? ` ≥ ${min}` : ""}, got "${text}".`);
  return Number(text);
}

/** A cost amount (a finite number ≥ 0). */
export function parseAmount(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw usage(`${what} takes an amount ≥ 0, got "${text}".`);
  return n;
}

/** JSON text, for --patch. */
export function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usage(`${flag} takes JSON: ${firstLine(err)}.`);
  }
}

const RUN_STATUSES: readonly RunStatus[] = ["QUEUED", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "CANCELLED"];

/** `--status running,failed` (repeatable) → `["RUNNING", "FAILED"]`. */
export function parseStatuses(values: string[]): RunStatus[] | undefined {
  const out: RunStatus[] = [];
  for (const s of values.flatMap((v) => v.split(","))) {
    const up = s.trim().toUpperCase();
    if (!up) continue;
    if (!RUN_STATUSES.includes(up as RunStatus))
      throw usage(`--status takes ${RUN_STATUSES.join(", ")}; got "${s.trim()}".`);
    if (!out.includes(up as RunStatus)) out.push(up as RunStatus);
  }
  return out.length ? out : undefined;
}

const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
export type Level = (typeof LOG_LEVELS)[number];

/** `--level warn` → `WARNING` (the lowest level shown). */
export function parseLevel(text: string): Level {
  const up = text.trim().toUpperCase();
  const level = up === "WARN" ? "WARNING" : up;
  if (!LOG_LEVELS.includes(level as Level)) throw usage(`--level takes ${LOG_LEVELS.join(", ")}; got "${text}".`);
  return level as Level;
}

export const levelRank = (level: string) => Math.max(0, LOG_LEVELS.indexOf(level as Level));

/** A word as the shell reads it back: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  return Array.isArray(v) ? "a list" : `a ${typeof v}`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0].replace(/\.+$/, "");
}
