import type { Db } from "../db/client";
import { CHANNELS } from "./types";

/**
 * NOTIFY doorbells, rung after commit and coalesced. A NOTIFY inside a writing
 * transaction takes PostgreSQL's global notify-queue lock at commit, which serializes
 * every writer of every run (measured: ~2.6× lower ingest with 8 writers). So writers
 * commit without it, and each process sends its pending doorbells in one statement per
 * tick: events as `<runId>:<maxSeq>` (the highest seq per run wins), other channels
 * deduplicated. A crash between commit and ring costs a reader at most its 2 s poll.
 */
class Doorbell {
  private seqs = new Map<string, number>();
  private others = new Set<string>();
  private scheduled = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  events(runId: string, lastSeq: number) {
    if ((this.seqs.get(runId) ?? 0) < lastSeq) this.seqs.set(runId, lastSeq);
    this.schedule();
  }

  other(channel: string, payload: string) {
    this.others.add(`${channel}\n${payload}`);
    this.schedule();
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sending = this.sending.then(() => this.flush());
    });
  }

  private async flush() {
    const channels: string[] = [];
    const payloads: string[] = [];
    for (const [runId, seq] of this.seqs) {
      channels.push(CHANNELS.events);
      payloads.push(`${runId}:${seq}`);
    }
    for (const o of this.others) {
      const i = o.indexOf("\n");
      channels.push(o.slice(0, i));
      payloads.push(o.slice(i + 1));
    }
    this.seqs.clear();
    this.others.clear();
    if (channels.length === 0) return;
    await this.db
      .$executeRaw`SELECT pg_notify(c, p) FROM unnest(${channels}::text[], ${payloads}::text[]) AS x(c, p)`.catch(
      () => {}, // database unreachable: readers fall back to their poll and catch up by seq
    );
  }

  /** Resolves when everything rung so far was sent (tests, shutdown). */
  async drain() {
    while (this.scheduled || this.seqs.size || this.others.size) await new Promise((r) => setImmediate(r));
    await this.sending;
  }
}

const bells = new WeakMap<Db, Doorbell>();

/** The doorbell of a database client (one per client per process). */
export function doorbell(db: Db): Doorbell {
  let bell = bells.get(db);
  if (!bell) {
    bell = new Doorbell(db);
    bells.set(db, bell);
  }
  return bell;
}
