/**
 * The live view of one run, as a pure reducer over its events: `apply(state, events)` →
 * new state (the old one is never changed), `render(state, …)` → the terminal frame, and
 * `plainLines(state, event)` → the plain lines an event adds when stdout is not a terminal.
 */
import type { Run, RunNode } from "../client.js";
import type { NodeStatus, RunStatus } from "../generated.js";
import type { RunEvent } from "../watch.js";
import { shellQuote } from "./args.js";
import {
  bar,
  type Colors,
  cells,
  clamp01,
  clock,
  cost,
  duration,
  noColors,
  oneLine,
  percent,
  truncate,
  truncateMiddle,
} from "./format.js";

interface ViewNode {
  key: string;
  kind: string;
  status: NodeStatus;
  progress: number;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** A map child's map. */
  parentKey: string | null;
  error: string | null;
  /** A gate's title. */
  gateTitle: string | null;
}

interface ViewLog {
  seq: number;
  at: string;
  level: string;
  nodeKey: string | null;
  message: string;
}

export interface RunViewState {
  runId: string;
  pipeline: string | null;
  version: number | null;
  label: string | null;
  status: RunStatus | null;
  reason: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  spent: number;
  budget: number | null;
  /** The node a budget pause is waiting to start (COST_UPDATE.blockedNode). */
  blocked: { nodeKey: string; cost: number | null } | null;
  /** The run's progress as the server last said (RUN_STATUS); nodes give a live one. */
  serverProgress: number;
  /** Every node known, in DAG order (then in order of appearance). */
  nodes: ReadonlyMap<string, ViewNode>;
  /** The last `LOG_LINES` log lines. */
  logs: readonly ViewLog[];
  lastError: { message: string; nodeKey: string | null } | null;
  /** Result rows so far (RESULTS). */
  results: number | null;
  completed: { status: RunStatus; nodesSucceeded: number; nodesFailed: number; durationMs: number } | null;
  /** The seq of the last event applied. */
  lastSeq: number;
  /** Events up to this seq are in the snapshot the state was seeded with (only their logs are new). */
  snapshotSeq: number;
  /** A line about the watch itself, when there is something to say ("reconnecting in 2s…", "detached"). */
  note: string | null;
}

/** Log lines kept (and shown) by the view. */
const LOG_LINES = 5;

export function initialState(runId: string): RunViewState {
  return {
    runId,
    pipeline: null,
    version: null,
    label: null,
    status: null,
    reason: null,
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    spent: 0,
    budget: null,
    blocked: null,
    serverProgress: 0,
    nodes: new Map(),
    logs: [],
    lastError: null,
    results: null,
    completed: null,
    lastSeq: 0,
    snapshotSeq: 0,
    note: null,
  };
}

/** The state of a run snapshot (`getRun`, consistent as of `run.lastSeq`). */
export function seed(state: RunViewState, run: Run & { nodes: RunNode[] }): RunViewState {
  const nodes = new Map(state.nodes);
  for (const n of run.nodes) nodes.set(n.key, toViewNode(n));
  return {
    ...state,
    pipeline: run.pipeline,
    version: run.pipelineVersion,
    label: run.label,
    status: run.status,
    reason: run.statusReason,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    spent: run.cost.spent,
    budget: run.cost.budget,
    serverProgress: run.progress,
    nodes,
    snapshotSeq: Math.max(state.snapshotSeq, run.lastSeq),
    lastSeq: Math.max(state.lastSeq, run.lastSeq),
  };
}

function toViewNode(n: RunNode): ViewNode {
  return {
    key: n.key,
    kind: n.kind,
    status: n.status,
    progress: n.progress,
    attempt: n.attempt,
    startedAt: n.startedAt,
    finishedAt: n.finishedAt,
    durationMs: n.durationMs,
    parentKey: n.parentKey,
    error: n.error,
    gateTitle: n.gate?.title ?? null,
  };
}

/** The state after `events` (in seq order). Copies what changes; never mutates `state`. */
export function apply(state: RunViewState, events: RunEvent | readonly RunEvent[]): RunViewState {
  const list = Array.isArray(events) ? events : [events as RunEvent];
  if (list.length === 0) return state;
  const s: RunViewState = { ...state };
  let nodes: Map<string, ViewNode> | null = null;
  const setNode = (n: RunNode) => {
    nodes ??= new Map(state.nodes);
    nodes.set(n.key, toViewNode(n));
  };
  let logs: ViewLog[] | null = null;
  for (const ev of list) {
    s.lastSeq = Math.max(s.lastSeq, ev.seq);
    if (ev.__typename === "LogEvent") {
      logs ??= [...state.logs];
      logs.push({ seq: ev.seq, at: ev.at, level: ev.level, nodeKey: ev.nodeKey, message: ev.message });
      if (logs.length > LOG_LINES) logs.splice(0, logs.length - LOG_LINES);
      continue;
    }
    if (ev.seq <= s.snapshotSeq) continue; // already in the snapshot
    switch (ev.__typename) {
      case "RunStatusEvent":
        s.status = ev.status;
        s.reason = ev.reason;
        s.serverProgress = ev.progress;
        if (ev.status === "RUNNING") {
          s.startedAt ??= ev.at;
          s.blocked = null;
        }
        if (isTerminalRun(ev.status)) s.finishedAt ??= ev.at;
        break;
      case "NodeStateEvent":
      case "GateWaitingEvent":
      case "GateDecidedEvent":
        setNode(ev.node);
        break;
      case "DagMutatedEvent":
        for (const n of ev.addedNodes) setNode(n);
        break;
      case "CostUpdateEvent":
        s.spent = ev.spent;
        s.budget = ev.budget;
        if (ev.blockedNode) s.blocked = { nodeKey: ev.blockedNode, cost: ev.nodeCost };
        break;
      case "ResultsEvent":
        s.results = ev.total;
        break;
      case "ErrorEvent":
        s.lastError = { message: ev.message, nodeKey: ev.nodeKey };
        break;
      case "RunCompletedEvent":
        s.completed = {
          status: ev.status,
          nodesSucceeded: ev.nodesSucceeded,
          nodesFailed: ev.nodesFailed,
          durationMs: ev.durationMs,
        };
        s.status = ev.status;
        s.finishedAt ??= ev.at;
        break;
      default:
        break; // EDGE_ACTIVE: nothing to show
    }
  }
  if (nodes) s.nodes = nodes;
  if (logs) s.logs = logs;
  return s;
}

/** The state with a note about the watch (`null`: nothing to say). */
export const withNote = (state: RunViewState, note: string | null): RunViewState =>
  state.note === note ? state : { ...state, note };

const TERMINAL_RUN: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const TERMINAL_NODE: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED"]);
const isTerminalRun = (s: string | null) => s !== null && TERMINAL_RUN.has(s);
const isTerminalNode = (s: string) => TERMINAL_NODE.has(s);

/** The run's progress from its nodes, as the server computes it (terminal = 1, else progress). */
function runProgress(state: RunViewState): number {
  if (state.completed?.status === "SUCCEEDED") return 1;
  // Ended otherwise: the progress it reached, as the server and the web app show it.
  if (state.nodes.size === 0 || isTerminalRun(state.status)) return state.serverProgress;
  let sum = 0;
  for (const n of state.nodes.values()) sum += isTerminalNode(n.status) ? 1 : clamp01(n.progress);
  return sum / state.nodes.size;
}

/** A row of the node table: a node, or a map with its children counted by status. */
interface NodeRowView {
  node: ViewNode;
  children: { total: number; byStatus: Partial<Record<NodeStatus, number>> } | null;
}

/** The node table's rows: top-level nodes in order, map children folded into their map's row. */
function nodeRows(state: RunViewState): NodeRowView[] {
  const rows = new Map<string, NodeRowView>();
  const orphans: NodeRowView[] = [];
  for (const n of state.nodes.values()) if (!n.parentKey) rows.set(n.key, { node: n, children: null });
  for (const n of state.nodes.values()) {
    if (!n.parentKey) continue;
    const parent = rows.get(n.parentKey);
    if (!parent) {
      orphans.push({ node: n, children: null });
      continue;
    }
    parent.children ??= { total: 0, byStatus: {} };
    parent.children.total++;
    parent.children.byStatus[n.status] = (parent.children.byStatus[n.status] ?? 0) + 1;
  }
  return [...rows.values(), ...orphans];
}

/** Gates waiting for a decision. */
const waitingGates = (state: RunViewState) =>
  [...state.nodes.values()].filter((n) => n.status === "WAITING" && (n.kind === "gate" || n.gateTitle !== null));

/** The command that approves a waiting gate. */
const approveCommand = (runId: string, nodeKey: string) =>
  `signalbox approve ${shellQuote(runId)} ${shellQuote(nodeKey)}`;

// --- rendering --------------------------------------------------------------------------

type Style = (s: string) => string;

/** One line of at most `max` cells, built from styled parts (cut where it would overflow). */
class Line {
  private readonly parts: string[] = [];
  width = 0;
  constructor(private readonly max: number) {}
  add(text: string, style?: Style): this {
    const room = this.max - this.width;
    if (room <= 0 || text === "") return this;
    const t = truncate(text, room);
    this.parts.push(style ? style(t) : t);
    this.width += cells(t);
    return this;
  }
  /** Spaces up to column `col`. */
  to(col: number): this {
    return col > this.width ? this.add(" ".repeat(col - this.width)) : this;
  }
  /** `text` flush right (when it fits). */
  right(text: string, style?: Style): this {
    this.to(this.max - cells(text));
    return this.add(text, style);
  }
  toString() {
    return this.parts.join("");
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

function symbol(status: NodeStatus | RunStatus, now: number): string {
  switch (status) {
    case "PENDING":
      return "·";
    case "QUEUED":
      return "○";
    case "RUNNING":
      return SPINNER[Math.floor(now / 100) % SPINNER.length];
    case "WAITING":
      return "◆";
    case "PAUSED":
      return "‖";
    case "SUCCEEDED":
      return "✔";
    case "FAILED":
      return "✖";
    case "SKIPPED":
      return "↷";
    case "CANCELLED":
      return "⊘";
    default:
      return " ";
  }
}

function styleOf(c: Colors, status: string): Style {
  switch (status) {
    case "RUNNING":
      return c.cyan;
    case "WAITING":
    case "PAUSED":
      return c.yellow;
    case "SUCCEEDED":
      return c.green;
    case "FAILED":
      return c.red;
    case "CANCELLED":
      return c.magenta;
    default:
      return c.dim;
  }
}

export interface RenderOptions {
  /** Terminal rows: the frame keeps to `height - 1` lines (log-update needs one more). */
  height?: number;
  /** The time of the frame (elapsed times, the spinner). */
  now?: number;
  colors?: Colors;
  /** The run's page in the web console, shown under the header. */
  link?: string;
}

/** The live view's frame for a terminal `width` cells wide. */
export function render(state: RunViewState, width: number, opts: RenderOptions = {}): string {
  const c = opts.colors ?? noColors;
  const now = opts.now ?? Date.now();
  const W = Math.max(30, width);
  const status = state.status ?? "QUEUED";

  // Header: what and where, then progress, cost, elapsed.
  const head = new Line(W)
    .add(state.pipeline ?? "run", c.bold)
    .add(state.version ? ` v${state.version}` : "", c.bold)
    .add("  ")
    .add(state.runId, c.dim);
  const badge = `${symbol(status, now)} ${status}${state.reason && status === "PAUSED" ? ` (${state.reason})` : ""}`;
  if (head.width + cells(badge) + 2 <= W) head.right(badge, styleOf(c, status));
  const progress = runProgress(state);
  const b = bar(progress, Math.min(30, Math.max(10, W - 60)));
  const start = state.startedAt ?? state.createdAt;
  const elapsed =
    state.completed?.durationMs ??
    (start ? (state.finishedAt ? Date.parse(state.finishedAt) : now) - Date.parse(start) : null);
  const stats = new Line(W)
    .add(b.full, styleOf(c, status === "RUNNING" ? "SUCCEEDED" : status))
    .add(b.empty, c.dim)
    .add(` ${percent(progress).padStart(4)}`)
    .add("   cost ", c.dim)
    .add(state.budget === null ? cost(state.spent) : `${cost(state.spent)} / ${cost(state.budget)}`)
    .add("   elapsed ", c.dim)
    .add(duration(elapsed) || "—");
  if (state.results !== null) stats.add("   results ", c.dim).add(String(state.results));

  // Sections below the node table, so the table gets what is left of the height.
  const gates = waitingGates(state);
  const gateLines: string[] = [];
  if (gates.length) {
    gateLines.push("", new Line(W).add("Waiting for a decision", c.bold).toString());
    for (const g of gates.slice(0, 3)) {
      gateLines.push(
        new Line(W)
          .add("◆ ", c.yellow)
          .add(g.key, c.bold)
          .add(g.gateTitle ? `  ${oneLine(g.gateTitle)}` : "")
          .toString(),
        new Line(W)
          .add("  approve: ", c.dim)
          .add(approveCommand(state.runId, g.key), c.cyan)
          .add("   (or reject / modify)", c.dim)
          .toString(),
      );
    }
    if (gates.length > 3) gateLines.push(new Line(W).add(`  … and ${gates.length - 3} more gates`, c.dim).toString());
  }
  const noteLines: string[] = [];
  if (status === "PAUSED" && !state.completed) {
    const why =
      state.reason === "BUDGET" && state.blocked
        ? `Paused for budget: ${state.blocked.nodeKey} needs ${cost(state.blocked.cost)}, ${cost(state.spent)} of ${cost(state.budget)} spent`
        : `Paused${state.reason ? ` (${state.reason})` : ""}`;
    const id = shellQuote(state.runId);
    const fixes = [...(state.reason === "BUDGET" ? [`signalbox budget ${id} <amount>`] : []), `signalbox resume ${id}`];
    noteLines.push(
      "",
      new Line(W).add(why, c.yellow).toString(),
      ...fixes.map((f) => new Line(W).add("  ").add(f, c.cyan).toString()),
    );
  }
  if (state.lastError) {
    const e = state.lastError;
    noteLines.push(
      "",
      new Line(W)
        .add("error ", c.red)
        .add(e.nodeKey ? `${e.nodeKey}: ` : "")
        .add(oneLine(e.message))
        .toString(),
    );
  }
  let logs = state.logs;
  const footer: string[] = [""];
  if (state.completed) {
    const d = state.completed;
    footer.push(
      new Line(W)
        .add(`${symbol(d.status, now)} ${d.status}`, styleOf(c, d.status))
        .add(` in ${duration(d.durationMs)}`)
        .add(`  ·  ${plural(d.nodesSucceeded, "node")} succeeded, ${d.nodesFailed} failed`, c.dim)
        .add(d.status !== "SUCCEEDED" && state.reason ? `  ·  ${oneLine(state.reason)}` : "", c.dim)
        .toString(),
    );
  }
  if (state.note) {
    footer.push(new Line(W).add(state.note, c.yellow).toString());
  } else if (!state.completed) {
    footer.push(new Line(W).add("Ctrl-C detaches; the run keeps going.", c.dim).toString());
  }

  // The node table, fitted to the height left.
  const rows = nodeRows(state);
  const fixed = (opts.link ? 3 : 2) + 2 + gateLines.length + noteLines.length + footer.length; // header, blank + table head
  const logLines = () => (logs.length ? 2 + logs.length : 0);
  let room = opts.height ? opts.height - 1 - fixed - logLines() : Number.POSITIVE_INFINITY;
  while (opts.height && room < Math.min(rows.length, 3) && logs.length > 0) {
    logs = logs.slice(1);
    room = opts.height - 1 - fixed - logLines();
  }
  const shown = pickRows(rows, Math.max(1, room));
  const labelOf = (r: NodeRowView) => {
    if (r.children) return `${countDone(r.children.byStatus)}/${r.children.total}`;
    if (QUIET_PROGRESS.has(r.node.status)) return "";
    return percent(r.node.status === "SUCCEEDED" ? 1 : r.node.progress);
  };
  const keyW = Math.min(24, Math.max(4, ...rows.map((r) => cells(r.node.key))));
  const kindW = 9;
  const labelW = Math.max(4, ...shown.rows.map((r) => cells(labelOf(r))));
  const fixedW = 2 + keyW + 2 + kindW + 2 + 9 + 2 + 1 + labelW + 2 + 7;
  const barW = Math.max(6, Math.min(20, W - fixedW - 20));
  const col = {
    kind: 2 + keyW + 2,
    status: 2 + keyW + 2 + kindW + 2,
    bar: 2 + keyW + 2 + kindW + 2 + 9 + 2,
    time: 2 + keyW + 2 + kindW + 2 + 9 + 2 + barW + 1 + labelW + 2,
  };
  const table: string[] = [
    new Line(W)
      .add("  NODE", c.dim)
      .to(col.kind)
      .add("KIND", c.dim)
      .to(col.status)
      .add("STATUS", c.dim)
      .to(col.bar)
      .add("PROGRESS", c.dim)
      .to(col.time)
      .add("   TIME", c.dim)
      .toString(),
  ];
  for (const r of shown.rows) {
    const n = r.node;
    const st = styleOf(c, n.status);
    const line = new Line(W).add(`${symbol(n.status, now)} `, st).add(truncateMiddle(n.key, keyW));
    const kids = r.children;
    line.to(col.kind).add(truncate(kids ? `map ×${kids.total}` : n.kind, kindW), c.dim);
    line.to(col.status).add(n.status, st);
    const fraction = kids
      ? kids.total
        ? countDone(kids.byStatus) / kids.total
        : 0
      : n.status === "SUCCEEDED"
        ? 1
        : n.progress;
    const nb = bar(fraction, barW);
    line.to(col.bar).add(nb.full, st).add(nb.empty, c.dim);
    line.add(` ${labelOf(r).padStart(labelW)}`);
    const took = n.durationMs ?? (n.startedAt && !isTerminalNode(n.status) ? now - Date.parse(n.startedAt) : null);
    line.to(col.time).add(duration(took).padStart(7), c.dim);
    if (kids) {
      line.add("  ");
      for (const s of ["SUCCEEDED", "RUNNING", "QUEUED", "PENDING", "FAILED", "SKIPPED", "CANCELLED"] as const) {
        const k = kids.byStatus[s];
        if (k) line.add(`${symbol(s, now)}${k} `, styleOf(c, s));
      }
    } else if (n.status === "FAILED" && n.error) {
      line.add("  ").add(oneLine(n.error), c.red);
    } else if (n.attempt > 1 && !isTerminalNode(n.status)) {
      line.add(`  attempt ${n.attempt}`, c.yellow);
    }
    table.push(line.toString());
  }
  if (shown.hidden.total) {
    const parts = Object.entries(shown.hidden.byStatus).map(([s, k]) => `${k} ${s.toLowerCase()}`);
    table.push(new Line(W).add(`  … ${shown.hidden.total} more nodes: ${parts.join(", ")}`, c.dim).toString());
  }
  if (rows.length === 0) table.push(new Line(W).add("  (no nodes yet)", c.dim).toString());

  const logSection = logs.length
    ? [
        "",
        new Line(W).add("Logs", c.bold).toString(),
        ...logs.map((l) => {
          const line = new Line(W).add(`  ${clock(l.at)} `, c.dim).add(l.level.padEnd(8), levelStyle(c, l.level));
          if (l.nodeKey) line.add(`${l.nodeKey}  `, c.dim);
          return line.add(oneLine(l.message)).toString();
        }),
      ]
    : [];

  return [
    head.toString(),
    ...(opts.link ? [new Line(W).add(opts.link, c.dim).toString()] : []),
    stats.toString(),
    "",
    ...table,
    ...gateLines,
    ...noteLines,
    ...logSection,
    ...footer,
  ].join("\n");
}

function levelStyle(c: Colors, level: string): Style {
  if (level === "ERROR") return c.red;
  if (level === "WARNING") return c.yellow;
  if (level === "DEBUG") return c.dim;
  return (s) => s;
}

/** Statuses whose progress says nothing (not started, or never will). */
const QUIET_PROGRESS: ReadonlySet<string> = new Set(["PENDING", "QUEUED", "WAITING", "SKIPPED", "CANCELLED"]);

const countDone = (by: Partial<Record<NodeStatus, number>>) =>
  (by.SUCCEEDED ?? 0) + (by.FAILED ?? 0) + (by.SKIPPED ?? 0) + (by.CANCELLED ?? 0);

/** Which rows a short terminal keeps first: the active ones, then what comes next, then what ended last. */
const TIERS: readonly string[] = [
  "RUNNING",
  "WAITING",
  "FAILED",
  "QUEUED",
  "PENDING",
  "SUCCEEDED",
  "CANCELLED",
  "SKIPPED",
];
const FINISHED_TIER = TIERS.indexOf("SUCCEEDED");

/**
 * At most `room` rows (one of them the "… more" line when not all fit): running, waiting and
 * failed first, then queued and pending ones, then the latest finished; shown in DAG order.
 */
function pickRows(
  rows: NodeRowView[],
  room: number,
): { rows: NodeRowView[]; hidden: { total: number; byStatus: Record<string, number> } } {
  if (rows.length <= room) return { rows, hidden: { total: 0, byStatus: {} } };
  const slots = Math.max(1, room - 1);
  const order = new Map(rows.map((r, i) => [r, i]));
  const tier = (r: NodeRowView) => TIERS.indexOf(r.node.status) >>> 0; // not listed: last
  const latest = (a: NodeRowView, b: NodeRowView) => (b.node.finishedAt ?? "").localeCompare(a.node.finishedAt ?? "");
  const ranked = [...rows].sort((a, b) => tier(a) - tier(b) || (tier(a) >= FINISHED_TIER ? latest(a, b) : 0));
  const chosen = new Set(ranked.slice(0, slots));
  const hidden = { total: 0, byStatus: {} as Record<string, number> };
  for (const r of rows) {
    if (chosen.has(r)) continue;
    hidden.total++;
    hidden.byStatus[r.node.status] = (hidden.byStatus[r.node.status] ?? 0) + 1;
  }
  return { rows: [...chosen].sort((a, b) => order.get(a)! - order.get(b)!), hidden };
}

// --- plain lines (stdout is not a terminal) ------------------------------------------------

/** Node states not worth a line of their own: every node passes through them. */
const QUIET: ReadonlySet<string> = new Set(["PENDING", "QUEUED"]);

/**
 * The lines `event` adds to a plain log of the run, given the state before it: status
 * changes, node state changes, log lines, gates waiting and decided, budget stops, errors,
 * completion. Each starts with the event's local time.
 */
export function plainLines(state: RunViewState, ev: RunEvent): string[] {
  const t = clock(ev.at);
  const id = shellQuote(state.runId);
  switch (ev.__typename) {
    case "RunStatusEvent":
      if (ev.status === state.status && ev.reason === state.reason) return [];
      if (isTerminalRun(ev.status)) return []; // RUN_COMPLETED follows and says it
      return [`${t} run ${ev.status}${ev.reason ? ` (${oneLine(ev.reason)})` : ""}`];
    case "NodeStateEvent": {
      const n = ev.node;
      const before = state.nodes.get(n.key);
      if (before?.status === n.status || QUIET.has(n.status)) return [];
      if (n.status === "WAITING" && n.kind === "gate") return []; // GATE_WAITING says it, with the command
      let line = `${t} node ${n.key} ${n.status}`;
      if (isTerminalNode(n.status) && n.durationMs !== null) line += ` after ${duration(n.durationMs)}`;
      if (n.reused) line += " (reused)";
      if (n.status === "RUNNING" && n.attempt > 1) line += ` (attempt ${n.attempt})`;
      if ((n.status === "FAILED" || n.status === "SKIPPED") && n.error) line += `: ${oneLine(n.error)}`;
      return [line];
    }
    case "DagMutatedEvent": {
      const byParent = new Map<string, number>();
      for (const n of ev.addedNodes) byParent.set(n.parentKey ?? "?", (byParent.get(n.parentKey ?? "?") ?? 0) + 1);
      return [...byParent].map(([p, k]) => `${t} map ${p} expanded to ${plural(k, "item")}`);
    }
    case "LogEvent":
      return [`${t} log ${ev.level} ${ev.nodeKey ?? "run"}: ${oneLine(ev.message)}`];
    case "GateWaitingEvent":
      return [
        `${t} gate ${ev.node.key} WAITING${ev.gate.title ? `: ${oneLine(ev.gate.title)}` : ""}`,
        `${t} approve with: ${approveCommand(state.runId, ev.node.key)}`,
      ];
    case "GateDecidedEvent": {
      const d = ev.decision;
      return [
        `${t} gate ${ev.node.key} ${d.decision} by ${d.decidedBy}${d.feedback ? `: ${oneLine(d.feedback)}` : ""}`,
      ];
    }
    case "CostUpdateEvent":
      if (!ev.blockedNode) return [];
      return [
        `${t} budget reached: ${ev.blockedNode} needs ${cost(ev.nodeCost)}, ${cost(ev.spent)} of ${cost(ev.budget)} spent`,
        `${t} raise it with: signalbox budget ${id} <amount> && signalbox resume ${id}`,
      ];
    case "ResultsEvent":
      return [`${t} results: ${plural(ev.total, "row")}`];
    case "ErrorEvent":
      return [`${t} error${ev.nodeKey ? ` ${ev.nodeKey}` : ""}: ${oneLine(ev.message)}`];
    case "RunCompletedEvent": {
      const why = ev.status !== "SUCCEEDED" && state.reason ? ` (${oneLine(state.reason)})` : "";
      return [
        `${t} run ${ev.status} in ${duration(ev.durationMs)}: ${plural(ev.nodesSucceeded, "node")} succeeded, ${ev.nodesFailed} failed${why}`,
      ];
    }
    default:
      return [];
  }
}
