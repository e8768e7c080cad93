import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { stringifyDocument } from "@urql/core";
import type { ExecutionResult } from "graphql";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { backoffDelay, sleep } from "./backoff";

export type TransportKind = "ws" | "sse";
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

export interface ConnectionStatus {
  /** null until the first connection attempt. */
  transport: TransportKind | null;
  state: ConnectionState;
  /** The last event seq applied by the page's run stream, when it has one. */
  lastSeq: number | null;
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

interface ActiveSub {
  request: () => RequestBody;
  sink: LiveSink<unknown>;
  isFinal: () => boolean;
  gen: number;
  restarts: number;
  done: boolean;
  dispose: (() => void) | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * The browser's one live connection: graphql-ws on the GraphQL path (the session cookie
 * authenticates the upgrade), falling back to graphql-sse when the WebSocket cannot
 * connect while plain HTTP works. Reconnects use `backoffDelay`.
 *
 * Each subscription's request is a function: it is serialized again on every
 * (re)subscribe, so a stream resumes from the cursor it holds *now* (e.g. `afterSeq`).
 */
export class LiveTransport {
  private status: ConnectionStatus = { transport: null, state: "connecting", lastSeq: null };
  private readonly listeners = new Set<() => void>();
  private readonly subs = new Set<ActiveSub>();
  private kind: TransportKind = "ws";
  private ws: WsClient | null = null;
  private sse: SseClient | null = null;
  private wsEverConnected = false;
  private failures = 0;
  private probing = false;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly urls: LiveUrls) {
    if (typeof window !== "undefined") {
      window.addEventListener("offline", () => this.set({ state: "offline" }));
      window.addEventListener("online", () => {
        if (this.status.state === "offline") this.set({ state: "reconnecting" });
      });
    }
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
    } else {
      sub.dispose = this.sseClient().subscribe(payload, inner);
    }
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
    this.sse ??= createSseClient({
      url: this.urls.sse,
      credentials: "same-origin",
      retryAttempts: Number.POSITIVE_INFINITY,
      retry: (retries) => sleep(backoffDelay(retries)),
      on: {
        connecting: (reconnecting) => this.connecting(reconnecting, true),
        connected: () => this.connectedNow(),
      },
    });
    return this.sse;
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
      if (res.ok && this.kind === "ws" && !this.wsEverConnected) this.switchToSse();
    } catch {
      // server unreachable: the WebSocket's own retries continue
    } finally {
      this.probing = false;
    }
  }

  private switchToSse() {
    this.clearConnectTimer();
    this.kind = "sse";
    const old = this.ws;
    this.ws = null;
    this.failures = 0;
    this.set({ transport: "sse", state: "connecting" });
    for (const sub of this.subs) {
      if (sub.timer) clearTimeout(sub.timer);
      sub.timer = null;
      sub.dispose?.();
      this.attach(sub);
    }
    // dispose() awaits the failed connection attempt and rejects with its close event.
    if (old) void Promise.resolve(old.dispose()).catch(() => {});
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
