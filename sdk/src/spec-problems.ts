import { LineCounter, parseDocument } from "yaml";

/** One problem of an invalid spec, at its path (`nodes[2].needs[0]`). */
export interface SpecProblem {
  path: string;
  message: string;
}

export interface LocatedProblem extends SpecProblem {
  /** 1-based line in the spec text, when the path (or its nearest parent) can be found. */
  line: number | null;
}

/** `nodes[2].needs[0]` → `["nodes", 2, "needs", 0]`. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * Map each problem's path to a line of the spec's text (the web editor and the CLI both
 * show problems at their line). JSON is YAML, so one parser covers both; a path that does
 * not resolve falls back to its nearest parent. Syntax errors (path "") carry "line N" in
 * their message.
 */
export function locateProblems(text: string, problems: readonly SpecProblem[]): LocatedProblem[] {
  const counter = new LineCounter();
  let doc: ReturnType<typeof parseDocument> | null = null;
  try {
    doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  } catch {
    doc = null;
  }
  return problems.map((p) => {
    if (!p.path) {
      const m = /line (\d+)/i.exec(p.message);
      return { ...p, line: m ? Number(m[1]) : null };
    }
    if (!doc) return { ...p, line: null };
    const path = parsePath(p.path);
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return { ...p, line: counter.linePos(node.range[0]).line };
    }
    return { ...p, line: null };
  });
}
