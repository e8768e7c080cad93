import pg from "pg";
import { CHANNELS } from "./types";

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process for every Signalbox channel. It reconnects with
 * exponential backoff (100 ms … 5 s) when the connection drops; after a reconnect it calls
 * the `onReconnect` handlers so readers catch up by seq (NOTIFYs sent while it was down
 * are lost, the event log is not).
 */
export class Notifier {
  private client: pg.Client | null = null;
  private handlers = new Map<string, Set<Handler>>();
  private reconnectHandlers = new Set<() => void>();
  private stopped = false;
  private backoffMs = 100;
  private timer: NodeJS.Timeout | null = null;
  private everConnected = false;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  on(channel: string, handler: Handler): () => void {
    const set = this.handlers.get(channel) ?? new Set<Handler>();
    this.handlers.set(channel, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    this.connected = false;
    await c?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: "signalbox-listener" });
    client.on("notification", (m) => {
      for (const h of this.handlers.get(m.channel) ?? []) h(m.payload ?? "");
    });
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      for (const ch of Object.values(CHANNELS)) await client.query(`LISTEN ${ch}`);
    } catch (err) {
      await client.end().catch(() => {});
      // The first connect surfaces its error to start(); later ones retry quietly.
      if (!this.everConnected) throw err;
      this.schedule(err);
      return;
    }
    this.client = client;
    this.connected = true;
    this.backoffMs = 100;
    if (this.everConnected) for (const h of this.reconnectHandlers) h();
    this.everConnected = true;
  }

  private lost(client: pg.Client, err?: unknown) {
    if (client !== this.client || this.stopped) return;
    this.connected = false;
    this.client = null;
    this.backoffMs = Math.max(this.backoffMs, 200);
    this.schedule(err);
  }

  private schedule(err?: unknown) {
    if (this.stopped || this.timer) return;
    this.log(`listener connection lost; retrying in ${this.backoffMs} ms`, err);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().catch((e) => this.schedule(e));
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
  }
}
