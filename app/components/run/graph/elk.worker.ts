/// <reference lib="webworker" />
/**
 * ELK in a Web Worker: loading it (1.4 MB) and laying a graph out both take longer than a
 * frame, so neither runs on the page's main thread. One request in, one layout out.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode } from "elkjs/lib/elk-api";

const elk = new ELK();

self.onmessage = async (e: MessageEvent<{ id: number; graph: ElkNode }>) => {
  const { id, graph } = e.data;
  try {
    const out = await elk.layout(graph);
    const positions = (out.children ?? []).map((c) => [c.id, c.x ?? 0, c.y ?? 0] as const);
    self.postMessage({ id, positions });
  } catch (err) {
    self.postMessage({ id, error: String(err) });
  }
};
