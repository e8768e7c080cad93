/** Graph checks over raw nodes: duplicate ids, unknown / self / repeated needs, cycles. */
import type { SpecProblem } from "./types";

type RawNode = Record<string, unknown>;
const isRecord = (value: unknown): value is RawNode =>
  typeof value === "object" && value !== null && !Array.isArray(value);

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
export function checkGraph(nodes: unknown[]): SpecProblem[] {
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
