/**
 * IPC between a bench and its helper processes (clients.ts, raw.ts), kept free of heavy
 * imports so helpers stay small.
 */
import type { ChildProcess } from "node:child_process";

export type Msg = { id?: number; type: string; [k: string]: unknown };

/** Epoch milliseconds with sub-millisecond resolution (comparable across processes). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** Request/response over a child's IPC channel (`{id, type, …}` → `{id, …}`). */
export class Rpc {
  private next = 1;
  private waiting = new Map<number, { resolve: (m: Msg) => void; reject: (e: Error) => void }>();

  constructor(private readonly child: ChildProcess) {
    child.on("message", (m: Msg) => {
      const w = m.id !== undefined ? this.waiting.get(m.id) : undefined;
      if (!w) return;
      this.waiting.delete(m.id!);
      if (m.type === "error") w.reject(new Error(String(m.message)));
      else w.resolve(m);
    });
    child.once("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`helper exited (${code})`));
      this.waiting.clear();
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: replies are plain JSON read by the bench
  call<T = any>(type: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (m: Msg) => void, reject });
      this.child.send({ id, type, ...args });
    });
  }
}

/** The helper side of `Rpc`: serve `handlers[type](msg)`; exit with the parent. */
export function serveRpc(handlers: Record<string, (msg: Msg) => Promise<unknown> | unknown>): void {
  process.on("message", async (m: Msg) => {
    try {
      const h = handlers[m.type];
      if (!h) throw new Error(`unknown request ${m.type}`);
      const r = (await h(m)) ?? {};
      process.send?.({ id: m.id, type: "ok", ...(r as object) });
    } catch (err) {
      process.send?.({ id: m.id, type: "error", message: err instanceof Error ? err.stack : String(err) });
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0)); // a clean exit (writes --cpu-prof profiles)
}
