/** Pipeline spec parsing and validation (SPEC §4): zod for shapes, then graph checks. */
import { createHash } from "node:crypto";
import YAML from "yaml";
import { z } from "zod";
import { issuesToProblems, validateKindConfig } from "./kinds";
import {
  MAX_NODES,
  MAX_SPEC_BYTES,
  NODE_KINDS,
  type NodeKind,
  type NodeSpec,
  type SpecProblem,
  type SpecResult,
  TRIGGER_RULES,
} from "./types";

/** Deeper values are refused: canonicalJson and Postgres JSONB recurse, and real specs stay shallow. */
export const MAX_SPEC_DEPTH = 100;

const nodeSchema = z.strictObject({
  // Brackets are reserved: map children are named `<id>[<i>]` at run time.
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, "id may only use letters, digits, '_' and '-'"),
  kind: z.string(), // membership is checked separately so the message can list the known kinds
  needs: z.array(z.string()).default([]),
  label: z.string().optional(),
  with: z.unknown().optional(), // checked per kind by validateKindConfig
  retries: z.int().min(0).max(20).default(0),
  retryDelayMs: z.int().min(0).default(1000),
  timeoutMs: z.int().positive().optional(),
  cost: z.number().min(0).default(0),
  trigger: z.enum(TRIGGER_RULES).default("all_succeeded"),
  results: z.boolean().default(false),
});

const specSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      "name must start with a letter or digit and use only letters, digits, '.', '_' and '-'",
    ),
  description: z.string().optional(),
  budget: z.number().min(0).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  nodes: z.array(nodeSchema).min(1, "a pipeline needs at least one node"),
});

type ParseResult = { ok: true; value: unknown } | { ok: false; problems: SpecProblem[] };
type RawNode = Record<string, unknown>;

const isRecord = (value: unknown): value is RawNode =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const fail = (path: string, message: string) => ({ ok: false as const, problems: [{ path, message }] });

/** 1-based line and column of a UTF-16 offset, for syntax error messages. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split("\n").length}, column ${offset - before.lastIndexOf("\n")}`;
}

/**
 * Offset of the first JSON syntax error. Only used when V8's message carries no position
 * (e.g. "Unexpected token '}'"), so a small grammar walk is enough; -1 if the text is valid.
 */
function jsonErrorOffset(text: string): number {
  // Lenient on escapes and control characters: V8 reports a position for those errors itself.
  const scalar = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const stack: string[] = [];
  let expect: "value" | "key" | "after" = "value";
  let opened = false; // a container may close right after its opener: {} and []
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    const closer = stack.at(-1) === "{" ? "}" : "]";
    const wasOpened = opened;
    opened = false;
    if (stack.length > 0 && c === closer && (expect === "after" || wasOpened)) {
      stack.pop();
      i++;
      expect = "after";
    } else if (expect === "after") {
      if (stack.length === 0) return i < text.length ? i : -1;
      if (c !== ",") return i;
      i++;
      expect = closer === "}" ? "key" : "value";
    } else if (expect === "value" && (c === "{" || c === "[")) {
      stack.push(c);
      i++;
      expect = c === "{" ? "key" : "value";
      opened = true;
    } else {
      scalar.lastIndex = i;
      if ((expect === "key" && c !== '"') || !scalar.test(text)) return i;
      i = scalar.lastIndex;
      if (expect === "value") expect = "after";
      else {
        skipSpace();
        if (text[i] !== ":") return i;
        i++;
        expect = "value";
      }
    }
  }
}

function parseJson(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reported = /at position (\d+)/.exec(message);
    const located = reported ? Number(reported[1]) : jsonErrorOffset(text);
    const offset = located < 0 ? text.length : located;
    const reason = message.replace(/ at position \d+.*$/s, "").replace(/, (\.\.\.)?".*" is not valid JSON$/s, "");
    return fail("", `JSON syntax error at ${lineColumn(text, offset)}: ${reason}`);
  }
}

function parseYaml(text: string): ParseResult {
  try {
    const doc = YAML.parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      // prettyErrors puts "at line L, column C" on the first line, followed by a source excerpt.
      const problems = doc.errors.map((e) => ({
        path: "",
        message: `YAML syntax error: ${e.message.split("\n")[0].replace(/:$/, "")}`,
      }));
      return { ok: false, problems };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) }; // alias cap stops "billion laughs"
  } catch (error) {
    return fail("", `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Parses spec text: JSON when it starts with `{` or `[`, YAML otherwise.
 * Text over MAX_SPEC_BYTES (UTF-8) and syntax errors (with line/column) are problems at path "".
 */
export function parseSpecText(text: string): ParseResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SPEC_BYTES) return fail("", `spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} (1 MiB)`);
  const start = text.trimStart()[0];
  return start === "{" || start === "[" ? parseJson(text) : parseYaml(text);
}

/** True when `value` nests deeper than `max` levels; iterative so hostile input cannot overflow the stack. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Kind membership, `command` permission and per-kind config; returns validated configs by node index. */
function checkKinds(nodes: unknown[], allowCommands: boolean, problems: SpecProblem[]): Record<string, unknown>[] {
  const configs: Record<string, unknown>[] = [];
  const refuse = (path: string) =>
    problems.push({ path, message: "command nodes are disabled; set SIGNALBOX_ALLOW_COMMANDS=1 to enable them" });
  nodes.forEach((node, i) => {
    if (!isRecord(node) || typeof node.kind !== "string") return; // shape problems come from zod
    const kind = NODE_KINDS.find((k) => k === node.kind);
    if (!kind) {
      problems.push({
        path: `nodes[${i}].kind`,
        message: `unknown kind "${node.kind}"; known kinds: ${NODE_KINDS.join(", ")}`,
      });
      return;
    }
    if (kind === "command" && !allowCommands) refuse(`nodes[${i}].kind`);
    const child = kind === "map" && isRecord(node.with) && isRecord(node.with.node) ? node.with.node : undefined;
    if (child?.kind === "command" && !allowCommands) refuse(`nodes[${i}].with.node.kind`);
    // YAML `with:` with nothing after it reads as null; treat it like an absent config.
    const result = validateKindConfig(kind, node.with ?? {}, `nodes[${i}].with`);
    problems.push(...result.problems);
    if (result.value) configs[i] = result.value;
  });
  return configs;
}

/** Iterative Tarjan: strongly connected components with more than one member (self-loops are reported apart). */
function cyclicComponents(edges: number[][]): number[][] {
  const index = new Array<number>(edges.length).fill(-1);
  const low = new Array<number>(edges.length).fill(0);
  const onStack = new Array<boolean>(edges.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < edges.length; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [];
    const visit = (v: number) => {
      index[v] = counter;
      low[v] = counter;
      counter++;
      stack.push(v);
      onStack[v] = true;
      work.push([v, 0]);
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const v = frame[0];
      if (frame[1] < edges[v].length) {
        const w = edges[v][frame[1]++];
        if (index[w] === -1) visit(w);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      const parent = work.at(-1)?.[0];
      if (parent !== undefined) low[parent] = Math.min(low[parent], low[v]);
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  }
  return components;
}

/** Shortest cycle through the component's first node, in run order (each node is needed by the next). */
function cycleThrough(start: number, members: Set<number>, edges: number[][]): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let q = 0; q < queue.length && !previous.has(start); q++) {
    for (const w of edges[queue[q]]) {
      if (!members.has(w) || previous.has(w)) continue;
      previous.set(w, queue[q]);
      queue.push(w);
    }
  }
  // `edges` point at what a node needs, so walking back from start yields dependency-first order.
  const cycle = [start];
  for (let v = previous.get(start)!; v !== start; v = previous.get(v)!) cycle.push(v);
  return [...cycle, start];
}

/** Duplicate ids, unknown/self/repeated needs and cycles, over every node whose id is usable. */
function checkGraph(nodes: unknown[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const firstIndex = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!isRecord(node) || typeof node.id !== "string" || node.id === "") return;
    const first = firstIndex.get(node.id);
    if (first === undefined) firstIndex.set(node.id, i);
    else
      problems.push({ path: `nodes[${i}].id`, message: `duplicate id "${node.id}" (first used by nodes[${first}])` });
  });
  const edges: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    if (!isRecord(node) || typeof node.id !== "string" || !Array.isArray(node.needs)) return;
    const id = node.id;
    const seen = new Set<string>();
    node.needs.forEach((need: unknown, j) => {
      if (typeof need !== "string") return;
      const path = `nodes[${i}].needs[${j}]`;
      const target = firstIndex.get(need);
      if (need === id) problems.push({ path, message: `node "${need}" needs itself` });
      else if (target === undefined) problems.push({ path, message: `unknown node "${need}"` });
      else if (seen.has(need)) problems.push({ path, message: `"${need}" is listed twice` });
      else if (firstIndex.get(id) === i) edges[i].push(target); // duplicates stay out of the graph
      seen.add(need);
    });
  });
  const components = cyclicComponents(edges).map((c) => c.sort((a, b) => a - b));
  for (const component of components.sort((a, b) => a[0] - b[0])) {
    const cycle = cycleThrough(component[0], new Set(component), edges);
    const names = cycle.map((i) => (nodes[i] as RawNode).id).join(" → ");
    problems.push({ path: `nodes[${component[0]}].needs`, message: `cycle: ${names}` });
  }
  return problems;
}

/**
 * Validates a parsed spec: shape (zod), kinds and kind configs, `command` permission, node count,
 * then graph checks. Lists every problem with its path; on success returns the spec with defaults filled.
 */
export function validateSpec(input: unknown, opts: { allowCommands: boolean }): SpecResult {
  if (nestsDeeperThan(input, MAX_SPEC_DEPTH)) return fail("", `spec nests deeper than ${MAX_SPEC_DEPTH} levels`);
  const parsed = specSchema.safeParse(input);
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, "");
  const nodes = isRecord(input) && Array.isArray(input.nodes) ? input.nodes : [];
  if (nodes.length > MAX_NODES)
    problems.push({ path: "nodes", message: `${nodes.length} nodes; the limit is ${MAX_NODES}` });
  const configs = checkKinds(nodes, opts.allowCommands, problems);
  problems.push(...checkGraph(nodes));
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const validNodes: NodeSpec[] = parsed.data.nodes.map((node, i) => ({
    ...node,
    kind: node.kind as NodeKind,
    with: configs[i],
  }));
  return { ok: true, spec: { ...parsed.data, nodes: validNodes } };
}

/** parseSpecText then validateSpec. */
export function parseAndValidateSpec(text: string, opts: { allowCommands: boolean }): SpecResult {
  const parsed = parseSpecText(text);
  return parsed.ok ? validateSpec(parsed.value, opts) : parsed;
}

/** JSON with object keys sorted at every level (arrays keep their order) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined) // as JSON.stringify drops them
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}

/** SHA-256 hex of canonicalJson(spec): the pipeline version checksum (SPEC §3). */
export function specChecksum(spec: unknown): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex");
}
