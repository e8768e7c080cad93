import type { ExecutionResult } from "graphql";
import type { TabMessage } from "./tab-channel";
import type { LiveConnection, RequestBody } from "./transport";

/** A follower's subscription, run by the leader on its own connection. */
interface RelayedSub {
  /** The follower's request as it last sent it (its cursor): read on every resubscribe. */
  payload: RequestBody;
  stop: () => void;
}

/**
 * The leader tab's side of the relay: it runs the other tabs' subscriptions on its own
 * connection and posts their results back, addressed to the tab that asked.
 */
export class TabRelay {
  private readonly relayed = new Map<string, RelayedSub>();

  constructor(
    private readonly tabId: string,
    private readonly own: LiveConnection,
    private readonly post: (message: TabMessage) => void,
  ) {}

  /** Handle a message another tab sent (the leader ignores what is not for it). */
  receive(m: TabMessage): void {
    switch (m.t) {
      case "hello": {
        const { transport, state } = this.own.getStatus();
        this.post({ t: "leader", leader: this.tabId });
        this.post({ t: "status", transport, state });
        return;
      }
      case "sub":
        this.run(m.from, m.id, m.payload);
        return;
      case "update": {
        const entry = this.relayed.get(`${m.from}:${m.id}`);
        if (entry) entry.payload = m.payload;
        return;
      }
      case "unsub":
        this.stop(`${m.from}:${m.id}`);
        return;
      case "bye":
        for (const key of [...this.relayed.keys()]) if (key.startsWith(`${m.from}:`)) this.stop(key);
        return;
      case "nudge":
        this.own.nudge();
        return;
      default:
        return; // the leader's own traffic, seen by followers only
    }
  }

  /** Run (or, sent again after a hand-over or resubscribe, restart) one follower subscription. */
  private run(to: string, id: number, payload: RequestBody) {
    const key = `${to}:${id}`;
    this.stop(key);
    const entry: RelayedSub = { payload, stop: () => {} };
    this.relayed.set(key, entry);
    entry.stop = this.own.subscribe(
      () => entry.payload,
      {
        next: (value) => this.post({ t: "next", to, id, value: value as ExecutionResult }),
        error: (errors) => {
          this.relayed.delete(key);
          // GraphQL errors as plain data (they cross to another tab).
          this.post({ t: "error", to, id, errors: JSON.parse(JSON.stringify(errors ?? null)) });
        },
        complete: () => {
          this.relayed.delete(key);
          this.post({ t: "complete", to, id });
        },
      },
      // The follower judges a completion (it subscribes again when it was not final).
      { isFinal: () => true },
    );
  }

  private stop(key: string) {
    const entry = this.relayed.get(key);
    if (!entry) return;
    this.relayed.delete(key);
    entry.stop();
  }
}
