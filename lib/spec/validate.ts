/** Pipeline spec parsing and validation (SPEC §4): zod for shapes, then graph checks. */
import { z } from "zod";
import { jsonBytes, MAX_PAYLOAD_BYTES } from "../limits";
import { checkGraph } from "./graph";
import { issuesToProblems, positiveMs, validateKindConfig } from "./kinds";
import { parseSpecText } from "./parse-text";
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
const MAX_SPEC_DEPTH = 100;

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
  retryDelayMs: z
    .int()
    .min(0)
    .max(24 * 60 * 60 * 1000)
    .default(1000),
  timeoutMs: positiveMs().optional(),
  cost: z.number().min(0).default(0),
  trigger: z.enum(TRIGGER_RULES).default("all_succeeded"),
  results: z.boolean().default(false),
});

export const specSchema = z.strictObject({
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

type RawNode = Record<string, unknown>;

const isRecord = (value: unknown): value is RawNode =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const fail = (path: string, message: string) => ({ ok: false as const, problems: [{ path, message }] });

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
    problems.push({
      path,
      message:
        "command nodes are disabled here: they need SIGNALBOX_ALLOW_COMMANDS=1 on the server " +
        "and the namespace's allowCommands switch (set by an admin)",
    });
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

/**
 * Validates a parsed spec: shape (zod), kinds and kind configs, `command` permission, node count,
 * then graph checks. Lists every problem with its path; on success returns the spec with defaults filled.
 */
export function validateSpec(input: unknown, opts: { allowCommands: boolean }): SpecResult {
  if (nestsDeeperThan(input, MAX_SPEC_DEPTH)) return fail("", `spec nests deeper than ${MAX_SPEC_DEPTH} levels`);
  // Object specs too (GraphQL `spec: JSON` variables, parsed YAML): the same 1 MiB as text.
  const bytes = jsonBytes(input);
  if (bytes > MAX_SPEC_BYTES) return fail("", `spec is ${bytes} bytes as JSON; the limit is ${MAX_SPEC_BYTES} (1 MiB)`);
  const parsed = specSchema.safeParse(input);
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, "");
  const nodes = isRecord(input) && Array.isArray(input.nodes) ? input.nodes : [];
  if (nodes.length > MAX_NODES)
    problems.push({ path: "nodes", message: `${nodes.length} nodes; the limit is ${MAX_NODES}` });
  const configs = checkKinds(nodes, opts.allowCommands, problems);
  problems.push(...checkGraph(nodes));
  problems.push(...checkGateText(nodes));
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const validNodes: NodeSpec[] = parsed.data.nodes.map((node, i) => ({
    ...node,
    kind: node.kind as NodeKind,
    with: configs[i],
  }));
  return { ok: true, spec: { ...parsed.data, nodes: validNodes } };
}

/**
 * A gate's title and description travel in every GATE_WAITING / NODE_STATE event of the
 * gate, to every subscriber: the same 64 KiB as any other payload.
 */
function checkGateText(nodes: unknown[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  nodes.forEach((node, i) => {
    if (!isRecord(node) || node.kind !== "gate" || !isRecord(node.with)) return;
    const size = jsonBytes({ title: node.with.title, description: node.with.description });
    if (size > MAX_PAYLOAD_BYTES) {
      problems.push({
        path: `nodes[${i}].with.description`,
        message: `the gate's title and description are ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES} (64 KiB)`,
      });
    }
  });
  return problems;
}

/** parseSpecText then validateSpec. */
export function parseAndValidateSpec(text: string, opts: { allowCommands: boolean }): SpecResult {
  const parsed = parseSpecText(text);
  return parsed.ok ? validateSpec(parsed.value, opts) : parsed;
}

export { canonicalJson, specChecksum } from "./canonical";
export { parseSpecText } from "./parse-text";
