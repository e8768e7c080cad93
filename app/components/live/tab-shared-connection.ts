import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { ExecutionResult } from "graphql";
import { backoffDelay } from "./backoff";
import type { ChannelLike, TabMessage, TabSharingEnv } from "./tab-channel";
import { TabRelay } from "./tab-relay";
import type {
  ConnectionState,
  ConnectionStatus,
  LiveConnection,
  LiveSink,
  RequestBody,
  SubscribeOptions,
  TransportKind,
} from "./transport";

/** The Web Lock whose holder is the leader tab; held until that tab goes away. */
const LEADER_LOCK = "signalbox-live-leader";
/** The BroadcastChannel the leader relays over. */
const LIVE_CHANNEL = "signalbox-live";

/** One subscription of this tab: held by its own connection (leader) or relayed by the leader. */
interface TabSub {
  id: number;
  request: () => RequestBody;
  sink: LiveSink<unknown>;
  opts: SubscribeOptions;
  /** The payload last sent to the leader, serialized. */
  sent: string | null;
  stopLocal: (() => void) | null;
  restarts: number;
}

/**
 * One live connection per browser, not per tab. Same-origin tabs elect a leader with a Web
 * Lock (the lock is released when its tab closes or crashes, and the next tab waiting for
 * it is granted it at once). The leader holds the real connection (LiveTransport: WebSocket,
 * SSE or polling) and runs every other tab's subscriptions on it, relaying their results
 * over a BroadcastChannel; the other tabs show "shared".
 *
 * Exactly once per tab: each follower sends its subscription's request again whenever its
 * cursor moves (`update`), so whoever runs it — the leader, or a new leader after a
 * hand-over — resumes from the last seq *that tab* holds; the tab's own seq bookkeeping
 * (RunEventStream: drop seq ≤ last, refill gaps) then applies as after any reconnect.
 * Hand-over: the new leader opens its connection and attaches its own subscriptions, then
 * says `leader`; every follower sends its subscriptions to it.
 * Without Web Locks or BroadcastChannel every tab is its own leader (one connection each).
 */
export class TabSharedConnection implements LiveConnection {
  private own: LiveConnection | null = null;
  private readonly channel: ChannelLike | null = null;
  private leaderId: string | null = null;
  private readonly mine = new Map<number, TabSub>();
  private relay: TabRelay | null = null;
  private nextId = 1;
  private lastSeq: number | null = null;
  private leaderStatus: { transport: TransportKind | null; state: ConnectionState } = {
    transport: null,
    state: "connecting",
  };
  private status: ConnectionStatus = { transport: null, state: "connecting", lastSeq: null, shared: false };
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly connect: () => LiveConnection,
    private readonly env: TabSharingEnv,
  ) {
    const channel = env.requestLock ? (env.openChannel?.(LIVE_CHANNEL) ?? null) : null;
    if (!channel || !env.requestLock) {
      this.becomeLeader();
      return;
    }
    this.channel = channel;
    channel.listen((data) => this.receive(data as TabMessage));
    env.requestLock(LEADER_LOCK, () => {
      this.becomeLeader();
      return new Promise<void>(() => {}); // held for the tab's lifetime
    });
    this.post({ t: "hello", from: env.tabId });
    env.onTabClose?.(() => {
      if (!this.own) this.post({ t: "bye", from: env.tabId });
    });
    this.emit();
  }

  /** Whether this tab holds the browser's connection. */
  get isLeader(): boolean {
    return this.own !== null;
  }

  // --- status store (useSyncExternalStore) ---
  getStatus = (): ConnectionStatus => this.status;
  onStatus = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  reportSeq(lastSeq: number | null): void {
    if (lastSeq === this.lastSeq) return;
    this.lastSeq = lastSeq;
    this.emit();
  }
  private emit() {
    const base = this.own ? this.own.getStatus() : { ...this.leaderStatus, shared: true };
    const next: ConnectionStatus = {
      transport: base.transport,
      state: base.state,
      lastSeq: this.lastSeq,
      shared: this.own === null && this.channel !== null,
    };
    const s = this.status;
    if (
      s.transport === next.transport &&
      s.state === next.state &&
      s.lastSeq === next.lastSeq &&
      s.shared === next.shared
    )
      return;
    this.status = next;
    for (const l of this.listeners) l();
  }

  subscribe<T>(request: () => RequestBody, sink: LiveSink<T>, opts: SubscribeOptions = {}): () => void {
    const sub: TabSub = {
      id: this.nextId++,
      request,
      sink: sink as LiveSink<unknown>,
      opts,
      sent: null,
      stopLocal: null,
      restarts: 0,
    };
    this.mine.set(sub.id, sub);
    if (this.own) sub.stopLocal = this.own.subscribe(request, sink as LiveSink<unknown>, opts);
    else if (this.leaderId) this.send(sub);
    return () => {
      if (!this.mine.delete(sub.id)) return;
      if (sub.stopLocal) sub.stopLocal();
      else if (this.leaderId) this.post({ t: "unsub", from: this.env.tabId, id: sub.id });
    };
  }

  /** HTTP queries need no shared connection: every tab sends its own. */
  query<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<ExecutionResult<TData>> {
    return this.ownOrAny().query(document, variables);
  }

  nudge(): void {
    if (this.own) this.own.nudge();
    else this.post({ t: "nudge" });
  }

  private queryConnection: LiveConnection | null = null;
  /** A connection object for HTTP queries; a follower's is never asked to subscribe (it opens nothing). */
  private ownOrAny(): LiveConnection {
    if (this.own) return this.own;
    this.queryConnection ??= this.connect();
    return this.queryConnection;
  }

  private becomeLeader() {
    if (this.own) return;
    this.own = this.queryConnection ?? this.connect();
    this.queryConnection = null;
    this.leaderId = this.env.tabId;
    this.relay = new TabRelay(this.env.tabId, this.own, (m) => this.post(m));
    this.own.onStatus(() => {
      this.emit();
      const s = this.own?.getStatus();
      if (s) this.post({ t: "status", transport: s.transport, state: s.state });
    });
    // What the previous leader ran for this tab died with it: run it here, from the tab's cursor.
    for (const sub of this.mine.values()) {
      sub.stopLocal = this.own.subscribe(sub.request, sub.sink, sub.opts);
    }
    this.post({ t: "leader", leader: this.env.tabId });
    this.emit();
  }

  private post(message: TabMessage) {
    this.channel?.postMessage(message);
  }

  /** Send a subscription to the leader with the request as it is now (its current cursor). */
  private send(sub: TabSub, kind: "sub" | "update" = "sub") {
    const payload = snapshot(sub.request);
    const json = JSON.stringify(payload);
    if (kind === "update" && json === sub.sent) return;
    sub.sent = json;
    this.post({ t: kind, from: this.env.tabId, id: sub.id, payload });
  }

  private receive(m: TabMessage) {
    if (this.relay) this.relay.receive(m);
    else this.receiveAsFollower(m);
  }

  private receiveAsFollower(m: TabMessage) {
    switch (m.t) {
      case "leader":
        if (m.leader === this.leaderId) return;
        this.leaderId = m.leader;
        this.leaderStatus = { transport: null, state: "connecting" };
        this.emit();
        for (const sub of this.mine.values()) this.send(sub);
        return;
      case "status":
        this.leaderStatus = { transport: m.transport, state: m.state };
        this.emit();
        return;
      case "next": {
        if (m.to !== this.env.tabId) return;
        const sub = this.mine.get(m.id);
        if (!sub) return;
        sub.restarts = 0;
        sub.sink.next(m.value);
        this.send(sub, "update"); // the cursor moved: a resubscribe starts after it
        return;
      }
      case "error": {
        if (m.to !== this.env.tabId) return;
        const sub = this.mine.get(m.id);
        if (!sub) return;
        this.mine.delete(m.id);
        sub.sink.error(m.errors);
        return;
      }
      case "complete": {
        if (m.to !== this.env.tabId) return;
        const sub = this.mine.get(m.id);
        if (!sub) return;
        if (sub.opts.isFinal?.() ?? false) {
          this.mine.delete(m.id);
          sub.sink.complete();
          return;
        }
        setTimeout(() => this.mine.has(sub.id) && !this.own && this.send(sub), backoffDelay(sub.restarts++));
        return;
      }
      default:
        return;
    }
  }
}

/** The request as plain data (it can cross to another tab). */
function snapshot(request: () => RequestBody): RequestBody {
  const r = request();
  return { query: r.query, variables: r.variables, operationName: r.operationName };
}
