import type { MetricPointView } from "../run/types";

/** One line of a chart: a node's (or map child's) values of one metric, in time order. */
export interface Series {
  /** Node key, with the attempt when it is not the first (a retry starts a new line). */
  label: string;
  nodeKey: string;
  /** Seconds since the run was created, and values. */
  xs: number[];
  ys: number[];
}

/** Past this many points a run's charts drop their oldest (SPEC §8: bounded client buffers). */
const MAX_POINTS = 200_000;

/**
 * A run's metric series, by metric name then line, outside React state (like the log
 * buffer): the page's history first, then the points of live NODE_STATE events. Events up
 * to the last seq the history covered are skipped, so a point is never counted twice.
 */
export class MetricSeries {
  private readonly byName = new Map<string, Map<string, Series>>();
  private readonly listeners = new Set<() => void>();
  private historySeq = 0;
  private count = 0;
  version = 0;

  /** `originMs`: the run's creation, the charts' zero. */
  constructor(
    history: readonly MetricPointView[] = [],
    private readonly originMs = 0,
  ) {
    for (const p of history) this.add(p);
    this.historySeq = history.length ? history[history.length - 1].seq : 0;
  }

  /** Points of one event (seq-ordered; call `commit` after a batch). */
  addEvent(seq: number, points: readonly MetricPointView[]): void {
    if (seq <= this.historySeq) return;
    for (const p of points) this.add(p);
  }

  private add(p: MetricPointView) {
    if (this.count >= MAX_POINTS) return;
    let lines = this.byName.get(p.name);
    if (!lines) {
      lines = new Map();
      this.byName.set(p.name, lines);
    }
    const label = p.attempt > 1 ? `${p.nodeKey} (attempt ${p.attempt})` : p.nodeKey;
    let s = lines.get(label);
    if (!s) {
      s = { label, nodeKey: p.nodeKey, xs: [], ys: [] };
      lines.set(label, s);
    }
    const x = (Date.parse(p.at) - this.originMs) / 1000;
    // Reports arrive in order per node; keep xs sorted if a clock went back.
    s.xs.push(s.xs.length && x < s.xs[s.xs.length - 1] ? s.xs[s.xs.length - 1] : x);
    s.ys.push(p.value);
    this.count++;
    this.version++;
  }

  commit(): void {
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Metric names, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** The lines of `name`, optionally only one node's (the node drawer). */
  lines(name: string, nodeKey?: string): Series[] {
    const all = [...(this.byName.get(name)?.values() ?? [])];
    return nodeKey ? all.filter((s) => s.nodeKey === nodeKey) : all;
  }

  /** Names a node reported (the node drawer's charts). */
  namesOf(nodeKey: string): string[] {
    return this.names().filter((n) => this.lines(n, nodeKey).length > 0);
  }

  get size(): number {
    return this.count;
  }
}
