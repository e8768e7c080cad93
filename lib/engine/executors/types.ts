import type { LogLevel } from "../../events/types";
import type { NodeSpec } from "../../spec/types";

/** What a node execution sees. `signal` aborts on cancel, timeout or lost lease. */
export interface ExecContext {
  runId: string;
  key: string;
  attempt: number;
  spec: NodeSpec;
  /** Outputs of the nodes in `needs`, by key. */
  inputs: Record<string, unknown>;
  params: Record<string, unknown>;
  /** Map children only: the item and its index. */
  item?: unknown;
  index?: number;
  signal: AbortSignal;
  report: Reporter;
  settings: ExecSettings;
  /** The server allows commands and so does the run's namespace, read when the node starts. */
  commandsAllowed: boolean;
}

export interface ExecSettings {
  /** SIGNALBOX_ALLOW_COMMANDS; a command also needs its namespace's switch (checked per run). */
  allowCommands: boolean;
  /** SIGNALBOX_HTTP_ALLOWED_HOSTS entries (host names, IPs, CIDRs). */
  httpAllowedHosts: string[];
  /** This server's own listening address: `http` nodes may always call it (the demo endpoint). */
  selfAddress?: { host: string; port: number };
}

/** Live reports; buffered and written in batches by the worker. */
export interface Reporter {
  progress(p: number): void;
  cost(delta: number): void;
  metric(name: string, value: number): void;
  log(level: LogLevel, message: string): void;
  result(row: Record<string, unknown>): void;
  /** True while the buffer is full: producers that can (a command's pipes) should pause… */
  readonly full?: boolean;
  /** …until this resolves. */
  drained?(): Promise<void>;
}

/** How an execution ended (a thrown error is a failed attempt). */
export type ExecOutcome =
  | { type: "succeeded"; output: unknown }
  | { type: "waiting"; presentation: unknown }
  | { type: "expand"; items: unknown[] };

export type NodeExecutor = (ctx: ExecContext) => Promise<ExecOutcome>;

/** Resolve after `ms`, or reject with the signal's reason when aborted. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
