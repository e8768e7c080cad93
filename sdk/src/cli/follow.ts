/**
 * Following a run until it ends: the live view on a terminal (redrawn in place, at most
 * ~10 frames a second), one plain line per change otherwise, or NDJSON events (`--json`).
 */
import { createLogUpdate } from "log-update";
import type { RunNode, SignalboxClient } from "../client.js";
import { RunNodesDocument, type RunStatus } from "../generated.js";
import { request } from "../http.js";
import type { RunEvent, WatchStatus } from "../watch.js";
import { CliError, EXIT } from "./errors.js";
import { type Colors, duration } from "./format.js";
import { apply, initialState, plainLines, render, seed, withNote } from "./run-view.js";

export type FollowMode = "tty" | "plain" | "json";

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  on?(event: "resize", listener: () => void): unknown;
  off?(event: "resize", listener: () => void): unknown;
}

export interface FollowOptions {
  client: SignalboxClient;
  runId: string;
  afterSeq?: number;
  mode: FollowMode;
  /** The run's page in the web console. */
  link: string;
  out: Output;
  /** Where notes about the connection go in plain and JSON modes. */
  err: Output;
  colors: Colors;
  /** Aborted by Ctrl-C: detach. */
  signal: AbortSignal;
  /** A first plain line (`run … submitted`), instead of the default one. */
  header?: string;
  /** Give up after the connection has been failing this long (default 5 minutes). */
  giveUpMs?: number;
}

export interface FollowResult {
  /** The run's final status; null when detached. */
  status: RunStatus | null;
  detached: boolean;
}

/** Frames a second at most on a terminal. */
const FPS = 10;

export async function follow(o: FollowOptions): Promise<FollowResult> {
  // One query first, in every mode: a missing run, a refused token or an unreachable server
  // end here with exit 4 instead of a watch that retries forever.
  const run = await o.client.getRun(o.runId, { nodes: o.mode === "tty" ? NODE_PAGE : 1 });
  if (o.mode === "tty") run.nodes = await allNodes(o.client, run.id, run.nodes);
  const giveUp = new AbortController();
  const signal = AbortSignal.any([o.signal, giveUp.signal]);
  let lostSince: number | null = null;
  let lostError: string | null = null;
  let onStatus = (s: WatchStatus) => {
    if (s.state === "retrying") {
      lostSince ??= Date.now();
      lostError = s.error.message;
      if (Date.now() - lostSince > (o.giveUpMs ?? 300_000)) giveUp.abort();
    } else if (s.state === "live") lostSince = null;
  };
  let completed: RunStatus | null = null;
  const events = (onEvent: (ev: RunEvent) => void) =>
    (async () => {
      for await (const ev of o.client.watchRun(o.runId, { afterSeq: o.afterSeq ?? 0, signal, onStatus })) {
        onEvent(ev);
        if (ev.__typename === "RunCompletedEvent") completed = ev.status;
      }
    })();

  if (o.mode === "json") {
    onStatus = noteOn(o.err, onStatus);
    await events((ev) => {
      const { __typename, ...plain } = ev;
      o.out.write(`${JSON.stringify(plain)}\n`);
    });
  } else if (o.mode === "plain") {
    onStatus = noteOn(o.err, onStatus);
    o.out.write(`${o.header ?? `run ${run.id} (${run.pipeline ?? "inline spec"}) ${run.status}: ${o.link}`}\n`);
    let state = initialState(o.runId);
    await events((ev) => {
      const lines = plainLines(state, ev);
      state = apply(state, ev);
      if (lines.length) o.out.write(`${lines.join("\n")}\n`);
    });
  } else {
    let state = seed(initialState(o.runId), run);
    const queue: RunEvent[] = [];
    const log = createLogUpdate(o.out as NodeJS.WriteStream);
    const draw = () => {
      if (queue.length) state = apply(state, queue.splice(0));
      log(render(state, o.out.columns ?? 80, { height: o.out.rows, now: Date.now(), colors: o.colors, link: o.link }));
    };
    const inner = onStatus;
    onStatus = (s) => {
      inner(s);
      state = withNote(state, noteText(s));
    };
    const timer = setInterval(draw, 1000 / FPS);
    o.out.on?.("resize", draw);
    draw();
    try {
      await events((ev) => queue.push(ev));
    } finally {
      clearInterval(timer);
      o.out.off?.("resize", draw);
      if (o.signal.aborted && !completed)
        state = withNote(state, `Detached; the run keeps going. Watch again: signalbox watch ${o.runId}`);
      else if (giveUp.signal.aborted) state = withNote(state, "Gave up: the connection kept failing.");
      else state = withNote(state, null);
      draw();
      log.done();
    }
  }

  if (completed) return { status: completed, detached: false };
  if (giveUp.signal.aborted)
    throw new CliError(
      `Lost the connection to the server for ${duration(o.giveUpMs ?? 300_000)} (${lostError ?? "no answer"}); the run may still be going.`,
      EXIT.USAGE,
    );
  if (o.signal.aborted) return { status: null, detached: true };
  // The stream ended without RUN_COMPLETED (a sealed run already seen whole): ask.
  const final = await o.client.getRun(o.runId, { nodes: 1 });
  return { status: final.status, detached: false };
}

/** Nodes a query (the query cost limit allows a few thousand). */
const NODE_PAGE = 1000;

/**
 * Every node of a run, given the first page: the rest by key (a map's children come after
 * it). Later pages are read a little later than the first; the events that follow bring
 * every node up to date anyway.
 */
async function allNodes(client: SignalboxClient, runId: string, first: RunNode[]): Promise<RunNode[]> {
  const nodes = [...first];
  let page = first;
  while (page.length === NODE_PAGE) {
    const { run } = await request(client.connection, RunNodesDocument, {
      id: runId,
      first: NODE_PAGE,
      after: page[page.length - 1].key,
    });
    page = run?.nodes ?? [];
    nodes.push(...page);
  }
  return nodes;
}

/** The exit status after following a run (SPEC §10). */
export function exitCodeOf(result: FollowResult): number {
  if (result.detached) return EXIT.INTERRUPTED;
  switch (result.status) {
    case "SUCCEEDED":
      return EXIT.OK;
    case "CANCELLED":
      return EXIT.CANCELLED;
    default:
      return EXIT.FAILED;
  }
}

function noteText(s: WatchStatus): string | null {
  if (s.state !== "retrying") return null;
  return `Connection lost; retrying in ${duration(s.inMs)} (${s.error.message.replace(/^connection failed: /, "")})`;
}

/** Connection notes on stderr (plain and JSON modes): when lost, and when back. */
function noteOn(err: Output, inner: (s: WatchStatus) => void): (s: WatchStatus) => void {
  let lost = false;
  return (s) => {
    inner(s);
    if (s.state === "retrying") {
      lost = true;
      err.write(`signalbox: ${noteText(s)}\n`);
    } else if (s.state === "live" && lost) {
      lost = false;
      err.write(`signalbox: reconnected (${s.transport}).\n`);
    }
  };
}
