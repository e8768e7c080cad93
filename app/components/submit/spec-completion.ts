/**
 * Completion for spec text, driven by the pipeline JSON Schema (docs/pipeline.schema.json,
 * generated from the zod schemas): which keys fit where the caret is, and which values fit
 * a key with an `enum` (node kinds, `trigger`, `method`, `onTimeout`). Pure, so it is
 * unit-tested without an editor.
 *
 * YAML is read by indentation (block style, as specs are written); a half-typed document
 * does not parse, so the YAML parser cannot help here. JSON text gets value completion
 * for `"kind": "…"`-style keys.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  required?: string[];
  description?: string;
  allOf?: { if?: JsonSchema; then?: JsonSchema }[];
}

export interface SpecCompletion {
  /** Offset in the text where the replaced word starts. */
  from: number;
  options: { label: string; detail?: string; info?: string; type: "property" | "enum" }[];
}

interface Line {
  text: string;
  /** Column of the key (after an item's "- "), or -1 for blank and comment lines. */
  keyCol: number;
  /** Column of the item dash, or -1. */
  dashCol: number;
  key: string | null;
  value: string;
}

function readLine(text: string): Line {
  const m = /^(\s*)(-\s+)?(?:([A-Za-z_$][\w$-]*)\s*:(?:\s+|$))?(.*)$/.exec(text);
  if (!m || /^\s*(#|$)/.test(text)) return { text, keyCol: -1, dashCol: -1, key: null, value: "" };
  const indent = m[1].length;
  const dash = m[2] ? indent : -1;
  return { text, keyCol: indent + (m[2]?.length ?? 0), dashCol: dash, key: m[3] ?? null, value: (m[4] ?? "").trim() };
}

/** A container the caret is inside: an item (`-`) or a key's mapping. */
interface Container {
  key: string | "-";
  line: number;
  /** Column of the container's own children. */
  childCol: number;
}

/** The containers around column `col` of line `at`, outermost first. */
function ancestry(lines: Line[], at: number, col: number, onDash: boolean): Container[] {
  const chain: Container[] = [];
  let threshold = col;
  const here = lines[at];
  if (onDash) {
    chain.push({ key: "-", line: at, childCol: col });
    threshold = here.dashCol;
  }
  for (let i = at - 1; i >= 0 && threshold > 0; i--) {
    const l = lines[i];
    if (l.keyCol < 0) continue;
    if (l.key !== null && l.keyCol < threshold) {
      chain.push({ key: l.key, line: i, childCol: threshold });
      threshold = l.keyCol;
    }
    if (l.dashCol >= 0 && l.dashCol < threshold) {
      chain.push({ key: "-", line: i, childCol: l.keyCol });
      threshold = l.dashCol;
    }
  }
  return chain.reverse();
}

/** The value of `key` among the direct children of `c` (e.g. the `kind` of a node item). */
function childValue(lines: Line[], c: Container, key: string): string | undefined {
  const start = c.key === "-" ? c.line : c.line + 1;
  for (let i = start; i < lines.length; i++) {
    const l = lines[i];
    if (l.keyCol < 0) continue;
    if (i > c.line && (l.keyCol < c.childCol || (l.dashCol >= 0 && l.dashCol < c.childCol))) break;
    if (l.keyCol === c.childCol && l.key === key) return l.value.replace(/^["']|["']$/g, "");
  }
  return undefined;
}

/** An object schema with the `if kind = …` branch that applies merged in. */
function resolve(schema: JsonSchema, kind: string | undefined): JsonSchema {
  const branch = schema.allOf?.find((b) => b.if?.properties?.kind?.const === kind)?.then;
  if (!branch?.properties) return schema;
  const properties = { ...schema.properties };
  for (const [k, v] of Object.entries(branch.properties)) properties[k] = { ...properties[k], ...v };
  return { ...schema, properties };
}

/** The schema of the object the caret's key belongs to, or null when the path leaves the schema. */
function objectAt(root: JsonSchema, lines: Line[], chain: Container[]): JsonSchema | null {
  let schema: JsonSchema | undefined = root;
  for (const c of chain) {
    if (!schema) return null;
    schema = c.key === "-" ? schema.items : schema.properties?.[c.key];
    if (schema?.allOf) schema = resolve(schema, childValue(lines, c, "kind"));
  }
  return schema?.properties ? schema : null;
}

const keyOptions = (schema: JsonSchema, used: Set<string>): SpecCompletion["options"] =>
  Object.entries(schema.properties ?? {})
    .filter(([k]) => !used.has(k))
    .map(([k, v]) => ({
      label: k,
      detail: schema.required?.includes(k) ? "required" : typeof v.type === "string" ? v.type : undefined,
      info: v.description,
      type: "property" as const,
    }));

const valueOptions = (schema: JsonSchema | undefined, descriptions: JsonSchema["allOf"]): SpecCompletion["options"] =>
  (schema?.enum ?? []).map((v) => ({
    label: String(v),
    info: descriptions?.find((b) => b.if?.properties?.kind?.const === v)?.then?.properties?.with?.description,
    type: "enum" as const,
  }));

/** Keys already present among the caret's siblings, so they are not offered again. */
function siblingKeys(lines: Line[], container: Container | undefined, col: number, at: number): Set<string> {
  const used = new Set<string>();
  if (!container) {
    for (const [i, l] of lines.entries()) if (i !== at && l.keyCol === 0 && l.key) used.add(l.key);
    return used;
  }
  const start = container.key === "-" ? container.line : container.line + 1;
  for (let i = start; i < lines.length; i++) {
    const l = lines[i];
    if (l.keyCol < 0 || i === at) continue;
    if (i > container.line && (l.keyCol < col || (l.dashCol >= 0 && l.dashCol < col))) break;
    if (l.keyCol === col && l.key) used.add(l.key);
  }
  return used;
}

/** Completions for YAML spec text at `pos`, or null when nothing fits. */
export function completeYamlSpec(root: JsonSchema, text: string, pos: number): SpecCompletion | null {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  const lineEnd = text.indexOf("\n", pos);
  const all = text.split("\n");
  const at = text.slice(0, lineStart).split("\n").length - 1;
  const before = text.slice(lineStart, pos);
  const lines = all.map(readLine);

  // `key: partial` → values of an enum-typed key.
  const valueMatch = /^(\s*)(-\s+)?([A-Za-z_$][\w$-]*)\s*:\s+["']?([\w-]*)$/.exec(before);
  if (valueMatch) {
    const col = valueMatch[1].length + (valueMatch[2]?.length ?? 0);
    const chain = ancestry(lines, at, col, Boolean(valueMatch[2]));
    const parent = objectAt(root, lines, chain);
    const prop = parent?.properties?.[valueMatch[3]];
    const options = valueOptions(prop, parent?.allOf);
    return options.length > 0 ? { from: pos - valueMatch[4].length, options } : null;
  }
  // A key being typed (or an empty line, or a fresh "- ").
  const keyMatch = /^(\s*)(-\s+)?([A-Za-z_$][\w$-]*)?$/.exec(before);
  if (!keyMatch) return null;
  const rest = text.slice(pos, lineEnd < 0 ? text.length : lineEnd);
  if (/^[\w$-]*\s*:/.test(rest)) return null; // the key is already written; don't offer over it
  const col = keyMatch[1].length + (keyMatch[2]?.length ?? 0);
  const chain = ancestry(lines, at, col, Boolean(keyMatch[2]));
  const schema = objectAt(root, lines, chain);
  if (!schema) return null;
  const options = keyOptions(schema, siblingKeys(lines, chain.at(-1), col, at));
  return options.length > 0 ? { from: pos - (keyMatch[3]?.length ?? 0), options } : null;
}

/** JSON spec text: the values of `"kind"`, `"trigger"`, … at `pos`, by key name alone. */
export function completeJsonSpec(root: JsonSchema, text: string, pos: number): SpecCompletion | null {
  const m = /"([A-Za-z]+)"\s*:\s*"([\w-]*)$/.exec(text.slice(Math.max(0, pos - 200), pos));
  if (!m) return null;
  const node = root.properties?.nodes?.items;
  const prop = m[1] === "kind" ? node?.properties?.kind : node?.properties?.[m[1]];
  const options = valueOptions(prop, node?.allOf);
  return options.length > 0 ? { from: pos - m[2].length, options } : null;
}
