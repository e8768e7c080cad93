import { hostname } from "node:os";
import type { Db } from "../db/client";
import type { TargetPolicy } from "../engine/executors/http-target";
import type { Notifier } from "../events/notifier";
import { CHANNELS } from "../events/types";
import { type ClaimedDelivery, claimDue, msUntilNextDue, recordAttempt } from "./claims";
import { DEFAULT_RETRY, givesUp, type RetryPolicy, retryDelayMs } from "./retry";
import { type PostOutcome, postWebhook } from "./send";
import { signatureHeader } from "./signature";
import { checkWebhookTarget } from "./target";

export interface SenderOptions {
  /** The console's base URL (SIGNALBOX_PUBLIC_URL, else the server's): payloads link runs there. */
  baseUrl: () => string;
  /** The address rules (SIGNALBOX_HTTP_ALLOWED_HOSTS), read at every delivery. */
  policy: () => TargetPolicy;
  retry?: Partial<RetryPolicy>;
  /** Deliveries in flight at once in this process. */
  concurrency?: number;
  /** Of one webhook: a slow receiver cannot hold every slot. */
  perWebhook?: number;
  /** One attempt's budget (SPEC §11: 10 s). */
  timeoutMs?: number;
  /** Safety net when no doorbell rings (one indexed query): a lost NOTIFY, another process's retry. */
  pollMs?: number;
  /** Deliveries given up in a row before the webhook is disabled. */
  disableAfter?: number;
  log?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

const DEFAULTS = { concurrency: 16, perWebhook: 4, timeoutMs: 10_000, pollMs: 15_000, disableAfter: 20 };

/**
 * Delivers the webhook outbox (claims.ts) — one per server process; any number share it.
 * It wakes on the `signalbox_webhooks` doorbell (rung after the commit that queued
 * deliveries, by any process) and otherwise sleeps until the next retry falls due (or the
 * safety-net poll): no busy polling. Each delivery is POSTed signed, to the address the
 * SSRF rules allowed, and every attempt is recorded.
 */
export class WebhookSender {
  private readonly opts: Required<Omit<SenderOptions, "retry" | "log">> & Pick<SenderOptions, "log">;
  private readonly retry: RetryPolicy;
  private inFlight = new Map<string, { webhookId: string; done: Promise<void> }>();
  private readonly abort = new AbortController();
  private stopped = true;
  private ticking = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private offs: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    opts: SenderOptions,
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  start(): void {
    this.stopped = false;
    this.offs.push(
      this.notifier.on(CHANNELS.webhooks, () => this.tick()),
      this.notifier.onReconnect(() => this.tick()),
    );
    this.tick();
  }

  /**
   * Stop claiming; give in-flight deliveries `graceMs` to finish, then abandon them
   * unrecorded: their claims expire and another sender (or the next start) retries them.
   */
  async stop(graceMs = 3_000): Promise<void> {
    this.stopped = true;
    for (const off of this.offs) off();
    if (this.timer) clearTimeout(this.timer);
    const all = Promise.all([...this.inFlight.values()].map((f) => f.done));
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.abort.abort();
    await Promise.race([all, new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  /** Deliveries being sent now (tests, metrics). */
  get sending(): number {
    return this.inFlight.size;
  }

  tick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    this.pass()
      .catch((err) => this.opts.log?.("warn", "webhook claim failed", { err }))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.tick();
        }
      });
  }

  /** Claim what is due into the free slots, then sleep until the next one falls due. */
  private async pass(): Promise<void> {
    for (;;) {
      const free = this.opts.concurrency - this.inFlight.size;
      if (free <= 0) return; // a finishing delivery ticks again
      const claimed = await claimDue(this.db, {
        limit: free,
        perWebhook: this.opts.perWebhook,
        busy: this.busyWebhooks(),
        lockMs: this.opts.timeoutMs + 20_000,
      });
      for (const c of claimed) this.launch(c);
      if (claimed.length < free) break;
    }
    // Due now but not claimable (a race with another sender's claim): leave it a second.
    const ms = await msUntilNextDue(this.db, this.busyWebhooks());
    this.sleep(ms === null ? this.opts.pollMs : ms > 0 ? Math.min(this.opts.pollMs, ms + 5) : 1_000);
  }

  private sleep(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, ms);
    this.timer.unref();
  }

  private busyWebhooks(): string[] {
    const counts = new Map<string, number>();
    for (const f of this.inFlight.values()) counts.set(f.webhookId, (counts.get(f.webhookId) ?? 0) + 1);
    return [...counts].filter(([, n]) => n >= this.opts.perWebhook).map(([id]) => id);
  }

  private launch(c: ClaimedDelivery) {
    const done = this.deliver(c)
      .catch((err) => this.opts.log?.("warn", "recording a webhook attempt failed", { err, deliveryId: c.id }))
      .finally(() => {
        this.inFlight.delete(c.id);
        this.tick();
      });
    this.inFlight.set(c.id, { webhookId: c.webhookId, done });
  }

  private async deliver(c: ClaimedDelivery): Promise<void> {
    const outcome = await this.send(c);
    if (this.abort.signal.aborted) return; // shutting down: the claim expires, someone retries
    const attempt = c.attempts + 1;
    const result = !outcome.error
      ? ({ kind: "delivered" } as const)
      : givesUp(this.retry, attempt)
        ? ({ kind: "gave-up" } as const)
        : ({ kind: "retry", delayMs: retryDelayMs(this.retry, attempt) } as const);
    const { disabled } = await recordAttempt(this.db, c, outcome, result, this.opts.disableAfter);
    // Ids, never the URL's query or the secret.
    this.opts.log?.("debug", "webhook attempt", {
      deliveryId: c.id,
      webhookId: c.webhookId,
      event: c.event,
      attempt,
      statusCode: outcome.statusCode,
      durationMs: outcome.durationMs,
      error: outcome.error,
    });
    if (result.kind === "gave-up")
      this.opts.log?.("warn", "webhook delivery given up", {
        deliveryId: c.id,
        webhookId: c.webhookId,
        attempts: attempt,
      });
    if (disabled) this.opts.log?.("warn", "webhook disabled after repeated failures", { webhookId: c.webhookId });
  }

  /** Build, sign and POST the body; a refused or unresolvable target is a failed attempt. */
  private async send(c: ClaimedDelivery): Promise<PostOutcome> {
    let checked: Awaited<ReturnType<typeof checkWebhookTarget>>;
    try {
      checked = await checkWebhookTarget(c.url, this.opts.policy());
    } catch (err) {
      return { statusCode: null, durationMs: 0, error: (err as Error).message, responseBody: null };
    }
    const body = JSON.stringify(deliveryBody(c.payload, this.opts.baseUrl()));
    const headers = {
      "content-type": "application/json",
      "user-agent": "Signalbox-Webhooks/1",
      "signalbox-event": c.event,
      "signalbox-delivery": c.id,
      "signalbox-signature": signatureHeader(c.secret, body),
    };
    return postWebhook(checked.url, checked.target, headers, body, this.opts.timeoutMs, this.abort.signal);
  }
}

/**
 * The JSON a receiver gets (SPEC §11), in this order: `{ id, type, at, namespace, run { id,
 * pipeline, status, url }, node, gate }`. `run.url` is the run's page in the console.
 */
export function deliveryBody(payload: Record<string, unknown>, baseUrl: string) {
  const run = (payload.run ?? {}) as Record<string, unknown>;
  return {
    id: payload.id,
    type: payload.type,
    at: payload.at,
    namespace: payload.namespace,
    run: {
      id: run.id,
      pipeline: run.pipeline ?? null,
      status: run.status,
      url: `${baseUrl}/runs/${run.id}`,
    },
    node: payload.node ?? null,
    gate: payload.gate ?? null,
  };
}

/**
 * The console's address when SIGNALBOX_PUBLIC_URL is unset: this server's own, as it
 * listens (a wildcard address names this machine instead).
 */
export function ownBaseUrl(self: { host: string; port: number }): string {
  const host = self.host === "0.0.0.0" || self.host === "::" ? hostname() : self.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${self.port}`;
}
