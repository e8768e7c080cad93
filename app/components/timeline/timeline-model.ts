/**
 * The timeline's model, pure (unit-tested): which status each node was in and when,
 * derived from the run's node state events, the segments a bar draws (queued, running,
 * waiting), map children grouped with their spread, and the critical path.
 */
import type { NodeStatus, NodeView } from "../run/types";

type SegmentKind = "queued" | "running" | "waiting";

export interface Segment {
  kind: SegmentKind;
  start: number;
  /** Epoch ms; for the segment still open, the time it was drawn at. */
  end: number;
  /** Still going (the bar grows as time passes). */
  open: boolean;
}

/** A status a node entered, at server time `at` (epoch ms). */
export interface Transition {
  status: NodeStatus;
  at: number;
}

const SEGMENT_OF: Partial<Record<NodeStatus, SegmentKind>> = {
  QUEUED: "queued",
  RUNNING: "running",
  WAITING: "waiting",
};

/**
 * Per node key, the statuses it went through in seq order (repeats collapsed: a
 * RUNNING node reporting progress stays one span). Fed every node-carrying event once.
 */
export class NodeTransitions {
  private readonly byKey = new Map<string, Transition[]>();
  /** Bumped on every change: views memoize on it. */
  version = 0;
  /** The oldest seq the page was rendered with: changes before it are loaded on demand. */
  historyBefore = 0;
  /** Whether those older changes are in (or on their way): loaded once per page. */
  history: "none" | "loading" | "loaded" = "none";

  record(key: string, status: NodeStatus, at: number): void {
    let list = this.byKey.get(key);
    if (!list) {
      list = [];
      this.byKey.set(key, list);
    }
    const last = list[list.length - 1];
    if (last?.status === status) return;
    list.push({ status, at });
    this.version++;
  }

  /**
   * Changes from before the oldest event the page held (loaded once, in seq order) go in
   * front of what was recorded, so a long run's early queue times are not lost.
   */
  prepend(older: readonly { key: string; status: NodeStatus; at: number }[]): void {
    const before = new Map<string, Transition[]>();
    for (const o of older) {
      const list = before.get(o.key) ?? [];
      if (list[list.length - 1]?.status !== o.status) list.push({ status: o.status, at: o.at });
      before.set(o.key, list);
    }
    for (const [key, list] of before) {
      const now = this.byKey.get(key) ?? [];
      this.byKey.set(
        key,
        now[0]?.status === list[list.length - 1].status ? [...list, ...now.slice(1)] : [...list, ...now],
      );
    }
    if (before.size) this.version++;
  }

  of(key: string): readonly Transition[] {
    return this.byKey.get(key) ?? NONE;
  }
}

const NONE: readonly Transition[] = [];

/**
 * The node's segments. Transitions are the source; what they do not cover (history older
 * than the client saw) falls back to the node's own `startedAt` / `finishedAt`. An open
 * segment ends at `now` — or at `cutoff` when the run is over (a run cancelled with the
 * node still queued does not grow it forever).
 */
export function segmentsOf(node: NodeView, transitions: readonly Transition[], now: number): Segment[] {
  const out: Segment[] = [];
  const started = node.startedAt ? Date.parse(node.startedAt) : null;
  const finished = node.finishedAt ? Date.parse(node.finishedAt) : null;
  const firstAt = transitions[0]?.at ?? Number.POSITIVE_INFINITY;
  // History before the first transition seen: the node's own start.
  if (started !== null && started < firstAt) {
    const end = Math.min(firstAt, finished ?? now);
    const kind: SegmentKind = node.kind === "gate" ? "waiting" : "running";
    if (end > started || !transitions.length) out.push({ kind, start: started, end, open: false });
  }
  for (let i = 0; i < transitions.length; i++) {
    const t = transitions[i];
    const kind = SEGMENT_OF[t.status];
    if (!kind) continue;
    const next = transitions[i + 1];
    const end = next ? next.at : (finished ?? now);
    out.push({ kind, start: t.at, end: Math.max(t.at, end), open: !next && finished === null });
  }
  // Nothing seen and never started (still queued from before we connected): no bar.
  const last = out[out.length - 1];
  if (last && !transitions.length && finished === null && isLive(node.status)) {
    last.end = Math.max(last.start, now);
    last.open = true;
  }
  return out;
}

const isLive = (s: NodeStatus) => s === "RUNNING" || s === "WAITING" || s === "QUEUED";

export interface Span {
  start: number;
  end: number;
}

/** The first segment's start to the last's end, or null for a node with no bar. */
export function spanOf(segments: readonly Segment[]): Span | null {
  if (!segments.length) return null;
  return { start: segments[0].start, end: segments[segments.length - 1].end };
}

/** A map's children at a glance: how many, their earliest start to latest end, their running times. */
interface Spread extends Span {
  count: number;
  /** Median and slowest child (running time, ms). */
  p50: number;
  max: number;
}

function spreadOf(children: readonly (readonly Segment[])[]): Spread | null {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const runs: number[] = [];
  for (const segs of children) {
    const s = spanOf(segs);
    if (!s) continue;
    start = Math.min(start, s.start);
    end = Math.max(end, s.end);
    runs.push(segs.reduce((sum, g) => sum + (g.kind === "running" ? g.end - g.start : 0), 0));
  }
  if (!runs.length) return null;
  runs.sort((a, b) => a - b);
  return {
    start,
    end,
    count: children.length,
    p50: runs[Math.floor((runs.length - 1) / 2)],
    max: runs[runs.length - 1],
  };
}

/**
 * The critical path: from the node that ended last, back through whichever predecessor
 * ended last, until a node has none. Predecessors are its `needs`, plus a map's children
 * (a map ends when they do); a child's are its own needs, else its map's. Returns node
 * keys, a map child included when it was the one holding its map up.
 */
export function criticalPath(
  nodes: ReadonlyMap<string, NodeView>,
  spans: ReadonlyMap<string, Span>,
  parentOf: (n: NodeView) => string | null,
): Set<string> {
  const children = new Map<string, string[]>();
  for (const n of nodes.values()) {
    const p = parentOf(n);
    if (!p) continue;
    const list = children.get(p);
    if (list) list.push(n.key);
    else children.set(p, [n.key]);
  }
  const preds = (n: NodeView): string[] => {
    const own = n.needs.length ? n.needs : (nodes.get(parentOf(n) ?? "")?.needs ?? []);
    return [...own, ...(children.get(n.key) ?? [])];
  };
  let current: string | null = null;
  let latest = Number.NEGATIVE_INFINITY;
  for (const [key, s] of spans) {
    if (s.end > latest) {
      latest = s.end;
      current = key;
    }
  }
  const path = new Set<string>();
  while (current && !path.has(current)) {
    path.add(current);
    const node = nodes.get(current);
    if (!node) break;
    let next: string | null = null;
    let end = Number.NEGATIVE_INFINITY;
    for (const k of preds(node)) {
      const s = spans.get(k);
      if (s && s.end > end && !path.has(k)) {
        end = s.end;
        next = k;
      }
    }
    current = next;
  }
  return path;
}

/** One timeline row: a node, or a map's group header (with its children's spread). */
export interface TimelineRow {
  key: string;
  node: NodeView;
  depth: 0 | 1;
  /** For a map with children: how many, and whether they are shown. */
  group?: { count: number; expanded: boolean; spread: Spread | null };
}

/** Rows in node order, each map followed by its children when expanded. */
export function timelineRows(
  nodes: ReadonlyMap<string, NodeView>,
  segments: (n: NodeView) => readonly Segment[],
  parentOf: (n: NodeView) => string | null,
  expanded: ReadonlySet<string>,
): TimelineRow[] {
  const kids = new Map<string, NodeView[]>();
  const top: NodeView[] = [];
  for (const n of nodes.values()) {
    const p = parentOf(n);
    if (!p || !nodes.has(p)) {
      top.push(n);
      continue;
    }
    const list = kids.get(p);
    if (list) list.push(n);
    else kids.set(p, [n]);
  }
  const rows: TimelineRow[] = [];
  for (const n of top) {
    const c = kids.get(n.key);
    if (!c) {
      rows.push({ key: n.key, node: n, depth: 0 });
      continue;
    }
    const open = expanded.has(n.key);
    rows.push({
      key: n.key,
      node: n,
      depth: 0,
      group: { count: c.length, expanded: open, spread: spreadOf(c.map(segments)) },
    });
    if (open) for (const k of c) rows.push({ key: k.key, node: k, depth: 1 });
  }
  return rows;
}
