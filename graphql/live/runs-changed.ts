import type { Run } from "../../lib/db/client";
import { CHANNELS } from "../../lib/events/types";
import { getRuns } from "../../lib/runs/queries";
import type { Runtime } from "../../lib/runtime";
import { abortable, LatestByKeyQueue } from "./iterators";
import { observeSubscription, type Transport } from "./observe";

/**
 * Coalescing window for run-change doorbells. Every committed state change of a run rings
 * `signalbox_runs`; a busy run rings hundreds of times a second, but a runs list only
 * needs its newest state a few times a second.
 */
const FLUSH_MS = 50;

/** Most runs a `since` replay delivers (newest first): enough to tell a page to refetch. */
const REPLAY_MAX = 100;

interface Subscriber {
  queue: LatestByKeyQueue<Run>;
  /** While the `since` replay reads: runs pushed live meanwhile (their replayed state may be older). */
  livePushed: Set<string> | null;
}

/**
 * Per-process fan-out of run changes to `runsChanged` subscribers. One NOTIFY listener
 * (woken from any process), one query per flush for all changed runs, and the same Run
 * object handed to every subscriber of the namespace — so the shared-execution cache
 * resolves it once per selection.
 */
export class RunsChangedHub {
  private subscribers = new Map<string, Set<Subscriber>>();
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly off: () => void;

  constructor(private readonly runtime: Pick<Runtime, "db" | "notifier">) {
    this.off = runtime.notifier.on(CHANNELS.runs, (payload) => {
      // `<namespace>:<runId>`; the run id never contains ':'.
      const i = payload.lastIndexOf(":");
      if (i > 0 && this.subscribers.has(payload.slice(0, i))) this.schedule(payload.slice(i + 1));
    });
  }

  /**
   * Runs of `namespace` as they change, until the returned iterator is closed. Registers
   * on the first `next()`, so an iterator that is never started holds nothing. With
   * `since`, it then reads the runs changed after that time (at most REPLAY_MAX, newest
   * first) and delivers them before anything live: listen first, then read, so a change
   * between a page's render and its subscription is never missed.
   */
  subscribe(namespace: string, transport: Transport, since: Date | null = null): AsyncGenerator<Run> {
    const subscribers = this.subscribers;
    const db = this.runtime.db;
    return abortable(async function* (signal) {
      const sub: Subscriber = { queue: new LatestByKeyQueue<Run>(), livePushed: since ? new Set() : null };
      const set = subscribers.get(namespace) ?? new Set();
      subscribers.set(namespace, set);
      set.add(sub);
      const observed = observeSubscription(transport);
      try {
        if (since) {
          const changed = await db.run.findMany({
            where: { namespace, updatedAt: { gt: since } },
            orderBy: { updatedAt: "desc" },
            take: REPLAY_MAX,
          });
          // Oldest first, so the newest change is delivered last (as live changes are).
          for (const run of changed.reverse()) if (!sub.livePushed?.has(run.id)) sub.queue.push(run.id, run);
          sub.livePushed = null;
        }
        for await (const run of sub.queue.drain(signal)) {
          observed.delivered();
          yield run;
        }
      } finally {
        observed.closed();
        set.delete(sub);
        if (set.size === 0 && subscribers.get(namespace) === set) subscribers.delete(namespace);
      }
    });
  }

  private schedule(runId: string) {
    this.pending.add(runId);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private async flush() {
    this.timer = null;
    const ids = [...this.pending];
    this.pending.clear();
    let runs: Run[];
    try {
      runs = await getRuns(this.runtime.db, null, ids);
    } catch {
      for (const id of ids) this.pending.add(id); // database blip: retry with the next flush
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS * 20);
      return;
    }
    for (const run of runs) {
      for (const sub of this.subscribers.get(run.namespace) ?? []) {
        sub.livePushed?.add(run.id);
        sub.queue.push(run.id, run);
      }
    }
  }

  close(): void {
    this.off();
    if (this.timer) clearTimeout(this.timer);
    for (const set of this.subscribers.values()) for (const sub of set) sub.queue.close();
    this.subscribers.clear();
  }
}
