/** Per-kind `with` config schemas (SPEC §4 node kinds table). */
import jsonata from "jsonata";
import { type ZodType, z } from "zod";
import { MAX_MAP_ITEMS, type NodeKind, type SpecProblem } from "./types";

/** Kinds a `map` node may fan out to; gates, externals and nested maps are not allowed as children. */
export const MAP_CHILD_KINDS = ["sleep", "http", "transform", "command"] as const;

/** A sleep longer than a day is almost certainly a unit mistake (seconds vs ms). */
const MAX_SLEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Longest node `timeoutMs` (and `retryDelayMs`, map children's and commands' timeouts): a
 * day. Longer holds a worker slot for days, and past 2^31 ms Node's timers fire at once.
 */
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Longest a gate waits for a human (`with.timeoutMs`): a week, so a weekend fits. */
const MAX_GATE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

/** Longest lease an `external` node's worker may hold between heartbeats: an hour. */
const MAX_EXTERNAL_LEASE_MS = 60 * 60 * 1000;

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

/** Reads a thrown value's message; jsonata throws plain objects with `message` and `position`. */
function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}

/** A JSONata expression, compiled once here so a typo fails at submit time, not mid-run. */
function jsonataExpression() {
  return z
    .string()
    .min(1)
    .superRefine((expression, ctx) => {
      if (expression.length === 0) return; // already reported by min(1)
      try {
        jsonata(expression);
      } catch (error) {
        const position = (error as { position?: unknown }).position;
        const where = typeof position === "number" ? ` (at character ${position})` : "";
        ctx.addIssue({ code: "custom", message: `invalid JSONata: ${errorMessage(error)}${where}` });
      }
    });
}

/** A duration in ms, 1 … `max` (a day unless said). */
export const positiveMs = (max = MAX_TIMEOUT_MS) =>
  z
    .int()
    .positive()
    .max(max, { error: `at most ${max} ms (${max / 3_600_000} h)` });

const sleepSchema = z.strictObject({
  ms: z
    .int()
    .min(0)
    .max(MAX_SLEEP_MS, { error: `at most ${MAX_SLEEP_MS} ms (24 h)` }),
});

const httpSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "url must be an absolute http:// or https:// URL" }),
  method: z.enum(HTTP_METHODS).default("GET"),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  timeoutMs: positiveMs().optional(),
});

const transformSchema = z.strictObject({ expression: jsonataExpression() });

const gateSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().optional(),
  show: jsonataExpression().optional(),
  timeoutMs: positiveMs(MAX_GATE_TIMEOUT_MS).optional(),
  onTimeout: z.enum(["approve", "reject"]).default("reject"),
});

/** The child's own `with` is left open here: validateKindConfig checks it against the child's kind. */
const mapChildSchema = z.strictObject({
  kind: z.enum(MAP_CHILD_KINDS, { error: `map children must be one of: ${MAP_CHILD_KINDS.join(", ")}` }),
  with: z.unknown().optional(),
  cost: z.number().min(0).default(0),
  retries: z.int().min(0).max(20).default(0),
  timeoutMs: positiveMs().optional(),
  label: z.string().optional(),
});

const mapSchema = z.strictObject({
  over: jsonataExpression(),
  node: mapChildSchema,
  maxItems: z.int().min(1).max(MAX_MAP_ITEMS).default(MAX_MAP_ITEMS),
  concurrency: z.int().min(1).default(10),
});

const commandSchema = z.strictObject({
  argv: z
    .array(z.string())
    .min(1)
    .refine((argv) => argv.length === 0 || argv[0] !== "", { message: "argv[0] (the program) must not be empty" }),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: positiveMs().optional(),
});

const externalSchema = z.strictObject({
  queue: z.string().min(1),
  input: z.unknown().optional(),
  // Under a second, heartbeats over the network cannot keep a lease alive reliably.
  leaseMs: z.int().min(1000).max(MAX_EXTERNAL_LEASE_MS).default(30_000),
});

/** One `with` schema per node kind; the `satisfies` keeps this table exhaustive. */
export const KIND_CONFIG_SCHEMAS = {
  sleep: sleepSchema,
  http: httpSchema,
  transform: transformSchema,
  gate: gateSchema,
  map: mapSchema,
  command: commandSchema,
  external: externalSchema,
} satisfies Record<NodeKind, ZodType>;

/** Formats a zod issue path as `nodes[2].with.url`, appended to `prefix` ("" = root). */
function formatPath(prefix: string, segments: readonly PropertyKey[]): string {
  let path = prefix;
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else path += path === "" ? String(segment) : `.${String(segment)}`;
  }
  return path;
}

/** Turns zod issues into problems; an unknown-keys issue becomes one problem per key, at that key. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix: string): SpecProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath(prefix, [...issue.path, key]), message: "unknown field" }));
    }
    return [{ path: formatPath(prefix, issue.path), message: issue.message }];
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Validates one node's `with` config against its kind and fills defaults.
 * Problems carry full paths under `pathPrefix` (e.g. `nodes[3].with`); a map child's config is
 * checked recursively, so its problems read `nodes[3].with.node.with.ms`.
 * `value` is undefined when there is any problem.
 */
export function validateKindConfig(
  kind: NodeKind,
  config: unknown,
  pathPrefix: string,
): { value: Record<string, unknown> | undefined; problems: SpecProblem[] } {
  const parsed = KIND_CONFIG_SCHEMAS[kind].safeParse(config);
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, pathPrefix);
  if (kind !== "map") {
    return { value: parsed.success ? (parsed.data as Record<string, unknown>) : undefined, problems };
  }
  // Check the child's config even when other map fields are wrong, so every problem is listed.
  const child = isRecord(config) && isRecord(config.node) ? config.node : undefined;
  const childKind = MAP_CHILD_KINDS.find((k) => k === child?.kind);
  if (!child || !childKind) return { value: undefined, problems };
  const childResult = validateKindConfig(childKind, child.with ?? {}, formatPath(pathPrefix, ["node", "with"]));
  problems.push(...childResult.problems);
  if (!parsed.success || problems.length > 0) return { value: undefined, problems };
  const value = parsed.data as z.output<typeof mapSchema>;
  return { value: { ...value, node: { ...value.node, with: childResult.value } }, problems };
}

/** A node kind's validated `with` config, defaults filled in (what the engine reads). */
export type KindConfig<K extends NodeKind> = z.output<(typeof KIND_CONFIG_SCHEMAS)[K]>;
