import type { KindConfig } from "../spec/kinds";
import type { NodeKind, NodeSpec } from "../spec/types";

/**
 * What a `run_nodes.config` holds: the node's validated spec (lib/spec/validate.ts fills
 * every default at submit), for a map child its item and index (lib/engine/map.ts), and
 * for a map of a re-run from failure the source run whose succeeded children it reuses.
 */
export interface StoredNodeSpec extends NodeSpec {
  item?: unknown;
  index?: number;
  reuseChildrenOf?: string;
}

/** The one place a node row's JSON config becomes its typed spec. */
export function specOf(node: { config: unknown }): StoredNodeSpec {
  return node.config as StoredNodeSpec;
}

/** A node's `with` config typed by its kind (from the zod schemas); throws on a kind mismatch. */
export function configOf<K extends NodeKind>(node: { config: unknown }, kind: K): KindConfig<K> {
  const spec = specOf(node);
  if (spec.kind !== kind) throw new Error(`node ${spec.id} is a ${spec.kind} node, not ${kind}`);
  return spec.with as KindConfig<K>;
}
