import type { ConsoleEvent, Cost, NodeView, ResultsTable, RunSnapshot, RunView } from "./types";

/**
 * The structured part of a run's live state (run, nodes, cost, results). High-rate
 * streams (events, logs) live in bounded buffers beside it. The reducer is pure and
 * applies a whole batch at once: one React update per animation frame.
 */
export interface ConsoleState {
  run: RunView;
  cost: Cost;
  /** By key. A node's object is replaced only when it changes, so memoized views skip the rest. */
  nodes: ReadonlyMap<string, NodeView>;
  /** Bumped only when the node set changes: the graph re-lays out on this, never on a status. */
  structure: number;
  results: ResultsTable;
  /** Edge id (`from->to`) → client time it was last active. */
  activeEdges: ReadonlyMap<string, number>;
  /** Why the run is paused for budget: the node that could not start and its cost. */
  blocked: { node: string; cost: number } | null;
  completed: { nodesSucceeded: number; nodesFailed: number; durationMs: number } | null;
  lastSeq: number;
}

export function initialState(s: RunSnapshot): ConsoleState {
  // The run row and nodes are already as of lastSeq; the snapshot's events only recover
  // what the row does not hold (the budget block, the completion summary).
  let blocked: ConsoleState["blocked"] = null;
  let completed: ConsoleState["completed"] = null;
  for (const e of s.events) {
    if (e.__typename === "CostUpdateEvent")
      blocked = e.blockedNode ? { node: e.blockedNode, cost: e.nodeCost ?? 0 } : null;
    if (e.__typename === "RunCompletedEvent") completed = e;
  }
  return {
    run: s.run,
    cost: s.cost,
    nodes: new Map(s.nodes.map((n) => [n.key, n])),
    structure: 1,
    results: s.results,
    activeEdges: new Map(),
    blocked: s.run.status === "PAUSED" ? blocked : null,
    completed,
    lastSeq: s.lastSeq,
  };
}

/** The map that added a node (map → child is an edge of the DAG), or null for spec nodes. */
export function parentOf(n: NodeView): string | null {
  if (n.parentKey) return n.parentKey;
  if (!n.dynamic) return null;
  const m = /^(.*)\[\d+\]$/.exec(n.key);
  return m ? m[1] : null;
}

export const edgeId = (from: string, to: string) => `${from}->${to}`;

/** Applies one batch of events (seq-ordered) received at client time `now`. */
export function reduceBatch(state: ConsoleState, events: readonly ConsoleEvent[], now: number): ConsoleState {
  let next = state;
  let nodes: Map<string, NodeView> | null = null;
  let active: Map<string, number> | null = null;
  let structural = false;
  const nodeMap = () => {
    nodes ??= new Map(state.nodes);
    return nodes;
  };
  const setNode = (n: NodeView) => {
    const m = nodeMap();
    if (!m.has(n.key)) structural = true;
    m.set(n.key, n);
  };
  const patch = (p: Partial<ConsoleState>) => {
    next = next === state ? { ...state, ...p } : Object.assign(next, p);
  };
  const patchRun = (p: Partial<RunView>) => patch({ run: { ...next.run, ...p } });

  for (const e of events) {
    if (e.seq <= next.lastSeq) continue;
    switch (e.__typename) {
      case "RunStatusEvent":
        patchRun({
          status: e.status,
          statusReason: e.reason,
          progress: e.progress,
          ...(e.status === "RUNNING" && !next.run.startedAt ? { startedAt: e.at } : {}),
        });
        if (e.status !== "PAUSED") patch({ blocked: null });
        break;
      case "NodeStateEvent":
      case "GateWaitingEvent":
      case "GateDecidedEvent":
        setNode(e.node);
        break;
      case "DagMutatedEvent":
        for (const n of e.addedNodes) setNode(n);
        break;
      case "EdgeActiveEvent":
        active ??= new Map(state.activeEdges);
        active.set(edgeId(e.from, e.to), now);
        break;
      case "CostUpdateEvent":
        patch({
          cost: { spent: e.spent, budget: e.budget, remaining: e.remaining },
          ...(e.blockedNode ? { blocked: { node: e.blockedNode, cost: e.nodeCost ?? 0 } } : {}),
        });
        break;
      case "ResultsEvent":
        patch({ results: appendResults(next.results, e) });
        break;
      case "RunCompletedEvent":
        patchRun({ status: e.status, finishedAt: e.at, sealed: true });
        patch({
          completed: { nodesSucceeded: e.nodesSucceeded, nodesFailed: e.nodesFailed, durationMs: e.durationMs },
        });
        break;
      case "ErrorEvent":
        if (!e.nodeKey) patchRun({ error: e.message });
        break;
      case "LogEvent":
        break; // logs live in the bounded buffer, not in state
    }
    patch({ lastSeq: e.seq });
  }
  if (nodes) patch({ nodes, ...(structural ? { structure: state.structure + 1 } : {}) });
  if (active) patch({ activeEdges: active });
  return next;
}

/**
 * A RESULTS event's rows placed at its `offset` (events carry only the rows they added;
 * older logs carried the whole table at offset 0, which this replaces correctly too).
 * A new table object, so memoized views re-render; the columns are the event's (all so far).
 */
function appendResults(table: ResultsTable, e: { results: ResultsTable; offset?: number | null }): ResultsTable {
  const offset = Math.min(Math.max(0, e.offset ?? 0), table.rows.length);
  const rows =
    offset === table.rows.length
      ? table.rows.concat(e.results.rows)
      : [...table.rows.slice(0, offset), ...e.results.rows];
  return { columns: e.results.columns, rows };
}

/** Drops highlights older than `ttlMs` (called by the graph's timer, not per event). */
export function expireActiveEdges(state: ConsoleState, now: number, ttlMs: number): ConsoleState {
  let changed = false;
  const m = new Map<string, number>();
  for (const [id, at] of state.activeEdges) {
    if (now - at < ttlMs) m.set(id, at);
    else changed = true;
  }
  return changed ? { ...state, activeEdges: m } : state;
}
