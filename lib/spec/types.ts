/** Pipeline spec shapes after validation (SPEC §4). */

export const NODE_KINDS = ["sleep", "http", "transform", "gate", "map", "command", "external"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const TRIGGER_RULES = ["all_succeeded", "all_done", "any_succeeded"] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** A validated node. Defaults are filled in: `needs` [], `retries` 0, `cost` 0, … */
export interface NodeSpec {
  id: string;
  kind: NodeKind;
  needs: string[];
  label?: string;
  /** Kind config, validated per kind (see lib/spec/kinds.ts). */
  with: Record<string, unknown>;
  retries: number;
  retryDelayMs: number;
  timeoutMs?: number;
  cost: number;
  trigger: TriggerRule;
  results: boolean;
}

/** A validated pipeline spec. */
export interface PipelineSpec {
  name: string;
  description?: string;
  budget?: number;
  params: Record<string, unknown>;
  nodes: NodeSpec[];
}

/** One validation problem; `path` is dotted/bracketed, e.g. `nodes[2].with.url`. */
export interface SpecProblem {
  path: string;
  message: string;
}

export type SpecResult = { ok: true; spec: PipelineSpec } | { ok: false; problems: SpecProblem[] };

export const MAX_NODES = 5000;
export const MAX_SPEC_BYTES = 1024 * 1024;
export const MAX_MAP_ITEMS = 1000;
