import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { stringifyDocument } from "@urql/core";
import type { ExecutionResult } from "graphql";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { backoffDelay, sleep } from "./backoff";
import { PollTier } from "./poll-tier";
import type { Poller } from "./pollers";
import { probeSse, probeWebSocket, watchFirstFrame } from "./probes";

/** The tiers, best first: WebSocket, SSE (upgrades refused), HTTP polling (SSE held by a proxy). */
export type TransportKind = "ws" | "sse" | "poll";
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

export interface ConnectionStatus {
  /** null until the first connection attempt. */
  transport: TransportKind | null;
  state: ConnectionState;
  /** The last event seq applied by the page's run stream, when it has one. */
  lastSeq: number | null;
  /** This tab relays another tab's connection (tab-shared-connection.ts) rather than holding one. */
  shared: boolean;
}

/** What the live leaves use: one tab's own connection (LiveTransport) or a relay to the leader tab's. */
export interface LiveConnection {
  getStatus(): ConnectionStatus;
  onStatus(listener: () => void): () => void;
  reportSeq(lastSeq: number | null): void;
  subscribe<T>(request: () => RequestBody, sink: LiveSink<T>, opts?: SubscribeOptions): () => void;
  query<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<ExecutionResult<TData>>;
  /** Something changed because of this page (an action): a polling tier polls now. */
  nudge(): void;
}

export interface RequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface LiveSink<T> {
  next(value: ExecutionResult<T>): void;
  error(err: unknown): void;
  complete(): void;
}

export interface LiveUrls {
  http: string;
  ws: string;
  sse: string;
  health: string;
}

export interface SubscribeOptions {
  /** A completion is final only when this says so; otherwise the stream is resumed. */
  isFinal?: () => boolean;
}

/** After this many failed reconnects in a row the indicator says "offline". */
const OFFLINE_AFTER = 4;
/** A WebSocket that has not been acknowledged by then counts as blocked. */
const WS_CONNECT_TIMEOUT_MS = 8_000;
/**
 * Below the WebSocket tier the transport probes the tiers above: after 4 s, 8 s, 16 s,
 * then every 30 s (jittered, `backoffDelay` from its third step), so a network that
 * lets WebSocket or streaming through again is used within half a minute, and a network
 * that never does costs one probe per 30 s.
 */
const PROBE_FIRST_STEP = 2;

interface ActiveSub {
  request: () => RequestBody;
  sink: LiveSink<unknown>;
  isFinal: () => boolean;
  gen: number;
  restarts: number;
  done: boolean;
  dispose: (() => void) | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** Its stand-in on the polling tier, made on first need. */
  poller: Poller | null;
}

/**
 * A tab's live connection, in three tiers:
 * 1. graphql-ws on the GraphQL path (the session cookie authenticates the upgrade);
 * 2. graphql-sse, when the WebSocket cannot connect while plain HTTP works (a proxy that
 *    refuses upgrades);
 * 3. HTTP polling (pollers.ts, poll-scheduler.ts), when an SSE response delivers no frame
 *    within SSE_FIRST_FRAME_MS (a proxy that buffers streams).
 * Below tier 1 it keeps probing the tiers above (probes.ts) and climbs back as soon as one
 * gets through. Reconnects use `backoffDelay`.
 *
 * Each subscription's request is a function: it is serialized again on every
 * (re)subscribe, tier change and poll, so a stream resumes from the cursor it holds *now*
 * (e.g. `afterSeq`); the subscriber's seq bookkeeping makes every switch gapless and
 * exactly-once.
 */
export class LiveTransport implements LiveConnection {
  private status: ConnectionStatus = { transport: null, state: "connecting", lastSeq: null, shared: false };
  private readonly listeners = new Set<() => void>();
  private readonly subs = new Set<ActiveSub>();
  private kind: TransportKind = "ws";
  private ws: WsClient | null = null;
  private sse: SseClient | null = null;
  private wsEverConnected = false;
  private failures = 0;
  private probing = false;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly polling = new PollTier(
    (doc, vars) => this.query(doc, vars),
    (failures) => this.polledNow(failures),
  );
  private climbTimer: ReturnType<typeof setTimeout> | null = null;
  private climbAttempt = 0;

  constructor(private readonly urls: LiveUrls) {
    if (typeof window !== "undefined") {
      window.addEventListener("offline", () => this.set({ state: "offline" }));
      window.addEventListener("online", () => {
        if (this.status.state === "offline") this.set({ state: "reconnecting" });
        this.nudge();
      });
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") this.nudge();
      });
    }
  }

  /** An action of this page (or the tab shown again): on the polling tier, poll now. */
  nudge(): void {
    this.polling.nudge();
  }

  // --- status store (useSyncExternalStore) ---
  getStatus = (): ConnectionStatus => this.status;
  onStatus = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  reportSeq(lastSeq: number | null): void {
    if (lastSeq !== this.status.lastSeq) this.set({ lastSeq });
  }
  private set(patch: Partial<ConnectionStatus>) {
    const keys = Object.keys(patch) as (keyof ConnectionStatus)[];
    if (keys.every((k) => this.status[k] === patch[k])) return; // e.g. "live" again after each poll
    this.status = { ...this.status, ...patch };
    for (const l of this.listeners) l();
  }

  /** A GraphQL subscription over the current transport; survives reconnects and fallback. */
  subscribe<T>(request: () => RequestBody, sink: LiveSink<T>, opts: SubscribeOptions = {}): () => void {
    const sub: ActiveSub = {
      request,
      sink: sink as LiveSink<unknown>,
      isFinal: opts.isFinal ?? (() => false),
      gen: 0,
      restarts: 0,
      done: false,
      dispose: null,
      timer: null,
      poller: null,
    };
    this.subs.add(sub);
    this.attach(sub);
    return () => {
      if (sub.done) return;
      sub.done = true;
      this.subs.delete(sub);
      if (sub.timer) clearTimeout(sub.timer);
      sub.dispose?.();
    };
  }

  /** A plain HTTP query that bypasses the normalized cache (e.g. refilling an event gap). */
  async query<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<ExecutionResult<TData>> {
    const body: RequestBody = { query: stringifyDocument(document), variables: variables as Record<string, unknown> };
    const res = await fetch(this.urls.http, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify(body),
    });
    return (await res.json()) as ExecutionResult<TData>;
  }

  private attach(sub: ActiveSub) {
    const gen = ++sub.gen;
    const current = () => !sub.done && sub.gen === gen;
    const payload = freshPayload(sub.request);
    const inner: LiveSink<unknown> = {
      next: (value) => {
        if (!current()) return;
        sub.restarts = 0;
        sub.sink.next(value);
      },
      error: (err) => current() && this.ended(sub, err),
      complete: () => current() && this.ended(sub, null),
    };
    if (this.kind === "ws") {
      sub.dispose = this.wsClient().subscribe(payload, inner);
    } else if (this.kind === "sse") {
      sub.dispose = this.sseClient().subscribe(payload, inner);
    } else {
      sub.dispose = this.attachPolled(sub, inner);
    }
    if (this.kind !== "ws") this.scheduleClimb();
  }

  /** On the polling tier: the next poll includes this subscription. */
  private attachPolled(sub: ActiveSub, inner: LiveSink<unknown>): () => void {
    sub.poller ??= this.polling.pollerFor(sub.request);
    // A subscription no poller stands in for waits for a streaming tier to come back.
    if (!sub.poller) return () => {};
    if (!this.polling.running) this.set({ state: "connecting" });
    return this.polling.add(sub.poller, inner);
  }

  private polledNow(failures: number) {
    if (this.kind !== "poll") return;
    if (failures === 0) this.connectedNow();
    else this.connecting(true, true);
  }

  /** The server completed or the client gave up: finish, or resume after a backoff. */
  private ended(sub: ActiveSub, err: unknown) {
    sub.dispose = null;
    if (Array.isArray(err) || (err == null && sub.isFinal())) {
      sub.done = true;
      this.subs.delete(sub);
      if (err == null) sub.sink.complete();
      else sub.sink.error(err); // GraphQL errors: retrying cannot help
      return;
    }
    sub.timer = setTimeout(() => !sub.done && this.attach(sub), backoffDelay(sub.restarts++));
  }

  private wsClient(): WsClient {
    if (this.ws) return this.ws;
    if (!this.status.transport) this.set({ transport: "ws" });
    const client = createWsClient({
      url: this.urls.ws,
      lazy: true,
      lazyCloseTimeout: 5_000,
      keepAlive: 20_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => sleep(backoffDelay(retries)),
      on: {
        connecting: (isRetry) => {
          if (this.ws !== client) return;
          this.connecting(isRetry, this.wsEverConnected);
          if (!this.wsEverConnected && !this.connectTimer) {
            this.connectTimer = setTimeout(() => this.maybeFallBack(), WS_CONNECT_TIMEOUT_MS);
          }
        },
        connected: () => {
          if (this.ws !== client) return;
          this.wsEverConnected = true;
          this.clearConnectTimer();
          this.connectedNow();
        },
        closed: () => {
          if (this.ws !== client || this.subs.size === 0) return;
          if (!this.wsEverConnected) this.maybeFallBack();
          else if (this.status.state === "live") this.set({ state: "reconnecting" });
        },
      },
    });
    this.ws = client;
    return client;
  }

  private sseClient(): SseClient {
    if (this.sse) return this.sse;
    let framesSeen = false;
    const client: SseClient = createSseClient({
      url: this.urls.sse,
      credentials: "same-origin",
      retryAttempts: Number.POSITIVE_INFINITY,
      retry: (retries) => sleep(backoffDelay(retries)),
      // "Live" once bytes flow, not when headers came: a buffering proxy may send those.
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) =>
        watchFirstFrame(input, init, {
          onFrame: () => {
            if (this.sse !== client) return;
            framesSeen = true;
            this.connectedNow();
          },
          // Once a stream of this client delivered, a silent one is more likely queued by the
          // browser (six HTTP/1.1 connections per host) than held by a proxy: keep streaming.
          onSilence: () => this.sse === client && !framesSeen && this.switchTo("poll"),
        }),
      on: {
        connecting: (reconnecting) => this.sse === client && this.connecting(reconnecting, true),
      },
    });
    this.sse = client;
    return client;
  }

  private connecting(isRetry: boolean, wasConnected: boolean) {
    if (isRetry) this.failures++;
    const offline = this.failures >= OFFLINE_AFTER || (typeof navigator !== "undefined" && !navigator.onLine);
    this.set({ state: offline ? "offline" : wasConnected || isRetry ? "reconnecting" : "connecting" });
  }

  private connectedNow() {
    this.failures = 0;
    this.set({ state: "live" });
  }

  private clearConnectTimer() {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  /**
   * The WebSocket never got through. If plain HTTP reaches the server, something between
   * us blocks WebSockets: switch every subscription to SSE. If HTTP fails too, the server
   * is down; keep retrying the WebSocket.
   */
  private async maybeFallBack() {
    if (this.kind !== "ws" || this.wsEverConnected || this.probing) return;
    this.probing = true;
    try {
      const res = await fetch(this.urls.health, { cache: "no-store" });
      if (res.ok && this.kind === "ws" && !this.wsEverConnected) this.switchTo("sse");
    } catch {
      // server unreachable: the WebSocket's own retries continue
    } finally {
      this.probing = false;
    }
  }

  /** Move every subscription to another tier; each resubscribes from the cursor it holds now. */
  private switchTo(kind: TransportKind) {
    if (this.kind === kind) return;
    this.clearConnectTimer();
    this.kind = kind;
    const { ws, sse } = this;
    this.ws = null;
    this.sse = null;
    this.wsEverConnected = false;
    this.failures = 0;
    this.climbAttempt = 0;
    if (this.climbTimer) clearTimeout(this.climbTimer);
    this.climbTimer = null;
    this.set({ transport: kind, state: "connecting" });
    for (const sub of this.subs) {
      if (sub.timer) clearTimeout(sub.timer);
      sub.timer = null;
      sub.dispose?.();
      sub.dispose = null;
      this.attach(sub);
    }
    // dispose() awaits the failed connection attempt and rejects with its close event.
    if (ws) void Promise.resolve(ws.dispose()).catch(() => {});
    sse?.dispose();
  }

  /** Below the WebSocket tier: probe the tiers above on the PROBE_FIRST_STEP schedule. */
  private scheduleClimb() {
    if (this.climbTimer || this.kind === "ws") return;
    const delay = backoffDelay(PROBE_FIRST_STEP + this.climbAttempt++);
    this.climbTimer = setTimeout(() => void this.climb(), delay);
  }

  private async climb() {
    this.climbTimer = null;
    if (this.kind === "ws" || this.subs.size === 0) return;
    const from = this.kind;
    if (await probeWebSocket(this.urls.ws)) {
      if (this.kind === from) this.switchTo("ws");
      return;
    }
    if (this.kind === "poll" && (await probeSse(this.urls.sse))) {
      if (this.kind === "poll") this.switchTo("sse");
      return;
    }
    if (this.kind === from) this.scheduleClimb();
  }
}

/** A payload whose fields are read when serialized, i.e. on each (re)subscribe. */
function freshPayload(request: () => RequestBody): RequestBody {
  return {
    get query() {
      return request().query;
    },
    get variables() {
      return request().variables;
    },
    get operationName() {
      return request().operationName;
    },
  };
}
