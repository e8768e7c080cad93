/**
 * `signalbox`, the CLI (SPEC §10): every command, its flags and exit statuses. `runCli`
 * parses argv, runs the command and answers the exit status; it prints failures as one
 * sentence on stderr (exit 4 for usage, auth and connection errors), never a stack trace.
 */
import fs from "node:fs";
import { createInterface } from "node:readline";
import { Command, CommanderError } from "commander";
import { type RunSummary, SignalboxClient } from "../client.js";
import { isSignalboxError } from "../errors.js";
import { type Decision, type EventType, type RunStatus, ViewerDocument } from "../generated.js";
import { request } from "../http.js";
import type { RunEvent } from "../watch.js";
import {
  buildParams,
  collect,
  levelRank,
  parseAmount,
  parseCount,
  parseJson,
  parseLevel,
  parseStatuses,
  parseTarget,
  readText,
  shellQuote,
} from "./args.js";
import { checkUrl, configPath, DEFAULT_URL, readConfig, resolveConnection, writeConfig } from "./config.js";
import { CliError, EXIT, report, usage, withSpecFile } from "./errors.js";
import { exitCodeOf, type FollowMode, follow, type Output } from "./follow.js";
import { type Colors, clock, colorsFor, cost, dateTime, duration, type Env, oneLine, percent } from "./format.js";
import { statusStyle, table } from "./table.js";

export interface Io {
  out: Output;
  err: Output;
  stdin: NodeJS.ReadStream;
  env: Env;
}

const defaultIo = (): Io => ({ out: process.stdout, err: process.stderr, stdin: process.stdin, env: process.env });

interface GlobalOpts {
  url?: string;
  token?: string;
}

/** What every command needs, resolved on first use. */
class Context {
  private resolved: { url: string; token: string | undefined } | null = null;
  readonly colors: Colors;
  /** The server URL once known (for error sentences). */
  url: string | undefined;

  constructor(
    readonly io: Io,
    /** --url and --token. */
    readonly globalOptions: () => GlobalOpts,
  ) {
    this.colors = colorsFor(io.out, io.env);
  }

  connection() {
    if (!this.resolved) {
      this.resolved = resolveConnection(this.globalOptions(), this.io.env, readConfig(configPath(this.io.env)));
      this.url = this.resolved.url;
    }
    return this.resolved;
  }

  client(): SignalboxClient {
    const { url, token } = this.connection();
    if (!token) throw usage(`No API token: run "signalbox login", set SIGNALBOX_TOKEN or pass --token.`);
    return new SignalboxClient({ url, token });
  }

  link(runId: string) {
    return `${this.connection().url}/runs/${runId}`;
  }

  print(text: string) {
    this.io.out.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  json(value: unknown) {
    this.print(JSON.stringify(value, null, 2));
  }

  /** Follow mode for stdout: NDJSON with --json, the live view on a terminal, else plain lines. */
  mode(json: boolean | undefined): FollowMode {
    return json ? "json" : this.io.out.isTTY ? "tty" : "plain";
  }
}

/** Ctrl-C while following: abort (detach); a second Ctrl-C exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.INTERRUPTED);
    ac.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: ac.signal, dispose: () => process.off("SIGINT", onSigint) };
}

async function followRun(
  ctx: Context,
  client: SignalboxClient,
  runId: string,
  opts: { json?: boolean; afterSeq?: number; header?: string },
): Promise<number> {
  const stop = interruptible();
  try {
    const result = await follow({
      client,
      runId,
      afterSeq: opts.afterSeq,
      mode: ctx.mode(opts.json),
      link: ctx.link(runId),
      out: ctx.io.out,
      err: ctx.io.err,
      colors: ctx.colors,
      signal: stop.signal,
      header: opts.header,
    });
    if (result.detached && ctx.mode(opts.json) !== "tty")
      ctx.io.err.write(`Detached; run ${runId} keeps going (signalbox watch ${shellQuote(runId)}).\n`);
    return exitCodeOf(result);
  } finally {
    stop.dispose();
  }
}

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    return String(pkg.version);
  } catch {
    return "0.0.0";
  }
}

const HELP_AFTER = `
Connection: --url / --token, else SIGNALBOX_URL / SIGNALBOX_TOKEN, else what
"signalbox login" saved ($XDG_CONFIG_HOME or ~/.config, signalbox/config.json).

Exit status: 0 done (after --follow / watch: the run SUCCEEDED), 1 the run FAILED,
2 the run was CANCELLED, 3 the server refused or failed the request (a conflicting
decision, a move the run cannot make), 4 a usage error (a bad flag, a missing file or
run, an invalid spec), an auth or a connection error, 130 interrupted (Ctrl-C detaches;
the run keeps going).`;

/** The program, with `setExit` receiving each command's exit status. */
function buildProgram(io: Io, setExit: (code: number) => void): { program: Command; ctx: Context } {
  const program = new Command("signalbox");
  const ctx = new Context(io, () => program.opts<GlobalOpts>());
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) =>
      setExit(await fn(...args));

  program
    .description("Run, watch and steer Signalbox workflow runs.")
    .version(version(), "-V, --version")
    .option("--url <url>", `server URL (default: ${DEFAULT_URL})`)
    .option("--token <token>", "API token")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      // One line: "signalbox: unknown command 'rnu' (Did you mean run?)".
      outputError: (s, write) =>
        write(
          `${s
            .replace(/^error: /, "signalbox: ")
            .trimEnd()
            .replace(/\s*\n\s*/g, " ")}\n`,
        ),
    })
    .showSuggestionAfterError(true)
    .addHelpText("after", HELP_AFTER);

  program
    .command("login")
    .description("check a token against the server and save the URL and token (mode 0600)")
    .addHelpText("after", '\nThe token: --token, SIGNALBOX_TOKEN, "--token -" to read it from stdin, else a prompt.')
    .action(act(() => login(ctx)));

  program
    .command("run")
    .description("submit a run of a spec file (YAML or JSON) or a registered pipeline")
    .argument("<target>", "file.yaml | file.json | pipeline[@version]")
    .option("--param <key=value>", "a param (repeatable); the value is JSON when it parses, else text", collect, [])
    .option("--params-file <file>", "params from a JSON or YAML file (--param wins)")
    .option("--budget <amount>", "the run's budget (overrides the spec's)")
    .option("--label <label>", "a label for the run")
    .option("--follow", "watch the run until it ends (exit 0 SUCCEEDED, 1 FAILED, 2 CANCELLED)")
    .option("--json", "print JSON: the run, or with --follow its events as NDJSON")
    .action(act((target: string, o: RunOpts) => runCommand(ctx, target, o)));

  program
    .command("watch")
    .description("follow a run until it ends (exit 0 SUCCEEDED, 1 FAILED, 2 CANCELLED)")
    .argument("<runId>")
    .option("--after-seq <n>", "only events after this seq (default 0: from the start)")
    .option("--json", "NDJSON: one event per line, nothing else")
    .action(
      act(async (runId: string, o: { afterSeq?: string; json?: boolean }) =>
        followRun(ctx, ctx.client(), runId, {
          json: o.json,
          afterSeq: parseCount(o.afterSeq ?? "0", "--after-seq", 0),
        }),
      ),
    );

  program
    .command("logs")
    .description("a run's log lines")
    .argument("<runId>")
    .option("--follow", "keep printing new lines until the run ends")
    .option("--node <key>", "only this node's lines (a map's key includes its children)")
    .option("--level <level>", "only this level and above: DEBUG, INFO, WARNING, ERROR")
    .option("--json", "NDJSON: one LOG event per line")
    .action(act((runId: string, o: LogsOpts) => logsCommand(ctx, runId, o)));

  program
    .command("runs")
    .description("recent runs, newest first")
    .option(
      "--status <status>",
      "QUEUED, RUNNING, PAUSED, SUCCEEDED, FAILED or CANCELLED (repeatable, or a,b)",
      collect,
    )
    .option("--pipeline <name>", "only runs of this pipeline")
    .option("--limit <n>", "how many (default 20)")
    .option("--json", "print JSON")
    .action(act((o: RunsOpts) => runsCommand(ctx, o)));

  program
    .command("gates")
    .description("gates waiting for a decision, across runs")
    .option("--json", "print JSON")
    .action(act((o: { json?: boolean }) => gatesCommand(ctx, o)));

  for (const [name, decision, verb] of [
    ["approve", "APPROVE", "Approved"],
    ["reject", "REJECT", "Rejected"],
  ] as const) {
    program
      .command(name)
      .description(`${name} a waiting gate`)
      .argument("<runId>")
      .argument("<nodeKey>")
      .option("--feedback <text>", "a note recorded with the decision")
      .action(
        act((runId: string, nodeKey: string, o: { feedback?: string }) =>
          decideCommand(ctx, runId, nodeKey, decision, verb, o.feedback),
        ),
      );
  }
  program
    .command("modify")
    .description("complete a waiting gate with a patched value")
    .argument("<runId>")
    .argument("<nodeKey>")
    .requiredOption("--patch <json>", "the gate's output instead of the presented value (JSON)")
    .option("--feedback <text>", "a note recorded with the decision")
    .action(
      act((runId: string, nodeKey: string, o: { patch: string; feedback?: string }) =>
        decideCommand(ctx, runId, nodeKey, "MODIFY", "Modified", o.feedback, parseJson(o.patch, "--patch")),
      ),
    );

  for (const [name, what] of [
    ["cancel", "cancel a run (running nodes are stopped)"],
    ["pause", "pause a run (no new node starts; running ones finish)"],
    ["resume", "resume a paused run"],
  ] as const) {
    program
      .command(name)
      .description(what)
      .argument("<runId>")
      .action(act((runId: string) => controlCommand(ctx, name, runId)));
  }

  program
    .command("budget")
    .description("set a run's budget")
    .argument("<runId>")
    .argument("<amount>")
    .action(
      act(async (runId: string, amount: string) => {
        const r = await ctx.client().setBudget(runId, parseAmount(amount, "budget"));
        ctx.print(
          `Run ${r.id}: budget ${cost(r.cost.budget)}, spent ${cost(r.cost.spent)}, remaining ${cost(r.cost.remaining)} (${r.status}).`,
        );
        return EXIT.OK;
      }),
    );

  program
    .command("rerun")
    .description("start a new run of a run's spec and params")
    .argument("<runId>")
    .option("--from-failure", "reuse the nodes that succeeded; run the rest")
    .option("--follow", "watch the new run until it ends")
    .action(
      act(async (runId: string, o: { fromFailure?: boolean; follow?: boolean }) => {
        const client = ctx.client();
        const run = await client.rerunRun(runId, { fromFailure: o.fromFailure });
        const what = o.fromFailure ? "re-run from failure" : "re-run";
        if (o.follow)
          return followRun(ctx, client, run.id, { header: `run ${run.id} (${what} of ${runId}): ${ctx.link(run.id)}` });
        ctx.print(`${run.id}\n${ctx.link(run.id)}`);
        return EXIT.OK;
      }),
    );

  program
    .command("promote")
    .description("register a succeeded run's spec as the next version of a pipeline (admin)")
    .argument("<runId>")
    .argument("<name>")
    .action(
      act(async (runId: string, name: string) => {
        const p = await ctx.client().promoteRun(runId, name);
        ctx.print(`Promoted run ${runId} as ${p.name} v${p.version} (checksum ${p.checksum.slice(0, 12)}).`);
        return EXIT.OK;
      }),
    );

  program
    .command("pipelines")
    .description("registered pipelines, every version")
    .option("--json", "print JSON")
    .action(act((o: { json?: boolean }) => pipelinesCommand(ctx, o)));

  program
    .command("worker")
    .description("serve external nodes of a queue: run <command> once per claimed node")
    .usage("--queue Q [--concurrency N] [--lease-ms MS] -- <command> [args…]")
    .argument("<command...>", "the command and its arguments, after --")
    .requiredOption("--queue <queue>", "the queue to claim from")
    .option("--concurrency <n>", "nodes at once (default 1)")
    .option("--lease-ms <ms>", "lease length asked for each claim")
    .addHelpText(
      "after",
      "\nThe node's input is JSON on stdin; SIGNALBOX_RUN_ID, SIGNALBOX_NODE_KEY and SIGNALBOX_ATTEMPT are set;\n" +
        "stdout speaks ::progress, ::cost, ::metric, ::output, ::result; other lines become logs.\n" +
        "Example: signalbox worker --queue gpu --concurrency 4 -- python3 score.py",
    )
    .action(
      act(async (command: string[], o: { queue: string; concurrency?: string; leaseMs?: string }) => {
        const client = ctx.client();
        const { commandWorker } = await import("./worker-command.js");
        return commandWorker({
          ...client.connection,
          queue: o.queue,
          concurrency: parseCount(o.concurrency ?? "1", "--concurrency"),
          command,
          leaseMs: o.leaseMs === undefined ? undefined : parseCount(o.leaseMs, "--lease-ms", 1000),
        });
      }),
    );

  return { program, ctx };
}

/** Parse `argv` (process.argv: node, script, …), run the command, answer its exit status. */
export async function runCli(argv: string[], io: Io = defaultIo()): Promise<number> {
  let code: number = EXIT.OK;
  const { program, ctx } = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const e = report(err, ctx.url);
    io.err.write(`signalbox: ${e.message}\n${e.details.map((d) => `${d}\n`).join("")}`);
    return e.exitCode;
  }
}

// --- commands -------------------------------------------------------------------------

async function login(ctx: Context): Promise<number> {
  const file = configPath(ctx.io.env);
  const saved = readConfig(file);
  const g = ctx.globalOptions();
  const url = checkUrl(g.url || ctx.io.env.SIGNALBOX_URL || saved.url || DEFAULT_URL);
  ctx.url = url;
  let token = g.token || ctx.io.env.SIGNALBOX_TOKEN || "";
  if (token === "-") token = await readAll(ctx.io.stdin);
  else if (!token && ctx.io.stdin.isTTY) token = await promptHidden(ctx.io, `Token for ${url}: `);
  token = token.trim();
  if (!token) throw usage(`No token to save: pass --token TOKEN (or "--token -" to read it from stdin).`);
  let who: { name: string; namespace: string; role: string };
  try {
    ({ viewer: who } = await request({ url, token }, ViewerDocument, {}));
  } catch (err) {
    if (isSignalboxError(err, "UNAUTHENTICATED"))
      throw new CliError(`${url} refused this token; nothing was saved.`, EXIT.USAGE);
    throw err;
  }
  writeConfig(file, { ...saved, url, token });
  ctx.print(`Logged in to ${url} as ${who.name} (${who.role}, namespace ${who.namespace}); saved to ${file}.`);
  return EXIT.OK;
}

interface RunOpts {
  param?: string[];
  paramsFile?: string;
  budget?: string;
  label?: string;
  follow?: boolean;
  json?: boolean;
}

async function runCommand(ctx: Context, target: string, o: RunOpts): Promise<number> {
  const t = parseTarget(target);
  const params = buildParams(o.param ?? [], o.paramsFile);
  const budget = o.budget === undefined ? undefined : parseAmount(o.budget, "--budget");
  const client = ctx.client();
  const file = t.kind === "file" ? { file: t.path, text: readText(t.path, "run") } : null;
  const source = t.kind === "file" ? { spec: file?.text } : { pipeline: t.name, version: t.version ?? undefined };
  const run = await withSpecFile(file, () => client.submitRun({ ...source, params, budget, label: o.label }));
  if (o.follow)
    return followRun(ctx, client, run.id, {
      json: o.json,
      header: `run ${run.id} submitted (${run.pipeline ?? "inline spec"}): ${ctx.link(run.id)}`,
    });
  if (o.json) ctx.json(run);
  else ctx.print(`${run.id}\n${ctx.link(run.id)}`);
  return EXIT.OK;
}

interface LogsOpts {
  follow?: boolean;
  node?: string;
  level?: string;
  json?: boolean;
}

async function logsCommand(ctx: Context, runId: string, o: LogsOpts): Promise<number> {
  const min = o.level ? levelRank(parseLevel(o.level)) : 0;
  const client = ctx.client();
  const c = ctx.colors;
  const wanted = (ev: RunEvent): ev is Extract<RunEvent, { __typename: "LogEvent" }> =>
    ev.__typename === "LogEvent" &&
    levelRank(ev.level) >= min &&
    (!o.node || ev.nodeKey === o.node || !!ev.nodeKey?.startsWith(`${o.node}[`));
  const show = (ev: RunEvent) => {
    if (!wanted(ev)) return;
    if (o.json) {
      const { __typename, ...plain } = ev;
      ctx.print(JSON.stringify(plain));
      return;
    }
    const level = ev.level.padEnd(7);
    const styled = ev.level === "ERROR" ? c.red(level) : ev.level === "WARNING" ? c.yellow(level) : level;
    ctx.print(`${c.dim(clock(ev.at))} ${styled} ${ev.nodeKey ? `${c.dim(ev.nodeKey)}: ` : ""}${oneLine(ev.message)}`);
  };
  const types: EventType[] = ["LOG"];
  let after = 0;
  for (;;) {
    const page = await client.events(runId, { afterSeq: after, first: 1000, types });
    for (const ev of page.events) show(ev);
    after = page.nextSeq;
    if (!page.hasMore) break;
  }
  if (!o.follow) return EXIT.OK;
  const stop = interruptible();
  try {
    let status: RunStatus | null = null;
    for await (const ev of client.watchRun(runId, { afterSeq: after, signal: stop.signal })) {
      show(ev);
      if (ev.__typename === "RunCompletedEvent") status = ev.status;
    }
    if (stop.signal.aborted && status === null) return EXIT.INTERRUPTED;
    status ??= (await client.getRun(runId, { nodes: 1 })).status;
    return exitCodeOf({ status, detached: false });
  } finally {
    stop.dispose();
  }
}

interface RunsOpts {
  status?: string[];
  pipeline?: string;
  limit?: string;
  json?: boolean;
}

async function runsCommand(ctx: Context, o: RunsOpts): Promise<number> {
  const status = parseStatuses(o.status ?? []);
  const limit = parseCount(o.limit ?? "20", "--limit");
  const client = ctx.client();
  const runs: RunSummary[] = [];
  let after: string | undefined;
  while (runs.length < limit) {
    const page = await client.listRuns({
      status,
      pipeline: o.pipeline,
      first: Math.min(200, limit - runs.length),
      after,
    });
    runs.push(...page.runs);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  if (o.json) {
    ctx.json(runs);
    return EXIT.OK;
  }
  if (runs.length === 0) {
    ctx.print(status || o.pipeline ? "No runs match." : "No runs yet.");
    return EXIT.OK;
  }
  const labels = runs.some((r) => r.label && r.label !== r.pipeline);
  ctx.print(
    table(
      runs,
      [
        { header: "ID", value: (r) => r.id },
        { header: "PIPELINE", value: (r) => (r.pipeline ?? "—") + (r.pipelineVersion ? ` v${r.pipelineVersion}` : "") },
        { header: "STATUS", value: (r) => r.status, style: statusStyle },
        { header: "PROGRESS", value: (r) => percent(r.progress), right: true },
        {
          header: "COST",
          value: (r) =>
            r.cost.budget === null ? cost(r.cost.spent) : `${cost(r.cost.spent)} / ${cost(r.cost.budget)}`,
          right: true,
        },
        { header: "CREATED", value: (r) => dateTime(r.createdAt) },
        {
          header: "DURATION",
          value: (r) => duration(r.durationMs ?? (r.startedAt ? Date.now() - Date.parse(r.startedAt) : null)),
          right: true,
        },
        ...(labels ? [{ header: "LABEL", value: (r: RunSummary) => r.label ?? "" }] : []),
      ],
      ctx.colors,
    ),
  );
  return EXIT.OK;
}

async function gatesCommand(ctx: Context, o: { json?: boolean }): Promise<number> {
  const gates = await ctx.client().gates();
  if (o.json) {
    ctx.json(gates);
    return EXIT.OK;
  }
  if (gates.length === 0) {
    ctx.print("No gates are waiting.");
    return EXIT.OK;
  }
  ctx.print(
    table(
      gates,
      [
        { header: "RUN", value: (g) => g.runId },
        { header: "NODE", value: (g) => g.key },
        {
          header: "WAITING",
          value: (g) => duration(g.startedAt ? Date.now() - Date.parse(g.startedAt) : null),
          right: true,
        },
        { header: "TITLE", value: (g) => oneLine(g.gate?.title ?? "") },
      ],
      ctx.colors,
    ),
  );
  const g = gates[0];
  ctx.print(
    ctx.colors.dim(
      `\nDecide: signalbox approve|reject ${shellQuote(g.runId)} ${shellQuote(g.key)} [--feedback TEXT], or modify … --patch JSON`,
    ),
  );
  return EXIT.OK;
}

async function pipelinesCommand(ctx: Context, o: { json?: boolean }): Promise<number> {
  const pipelines = await ctx.client().pipelines();
  if (o.json) {
    ctx.json(pipelines);
    return EXIT.OK;
  }
  if (pipelines.length === 0) {
    ctx.print("No pipelines yet (signalbox promote <runId> <name> registers one).");
    return EXIT.OK;
  }
  ctx.print(
    table(
      pipelines,
      [
        { header: "NAME", value: (p) => p.name },
        { header: "VERSION", value: (p) => String(p.version), right: true },
        { header: "CHECKSUM", value: (p) => p.checksum.slice(0, 12) },
        { header: "CREATED", value: (p) => dateTime(p.createdAt) },
        { header: "PROMOTED FROM", value: (p) => p.promotedFrom ?? "" },
      ],
      ctx.colors,
    ),
  );
  return EXIT.OK;
}

async function decideCommand(
  ctx: Context,
  runId: string,
  nodeKey: string,
  decision: Decision,
  verb: string,
  feedback?: string,
  patch?: unknown,
): Promise<number> {
  const node = await ctx.client().decide({ runId, nodeKey, decision, feedback, patch });
  ctx.print(`${verb} gate ${node.key} of run ${runId}; the node is ${node.status}.`);
  return EXIT.OK;
}

async function controlCommand(ctx: Context, action: "cancel" | "pause" | "resume", runId: string): Promise<number> {
  const client = ctx.client();
  const r =
    action === "cancel"
      ? await client.cancelRun(runId)
      : action === "pause"
        ? await client.pauseRun(runId)
        : await client.resumeRun(runId);
  ctx.print(`Run ${r.id} is ${r.status}.`);
  return EXIT.OK;
}

// --- input ----------------------------------------------------------------------------

function readAll(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (d: string) => {
      text += d;
    });
    stream.once("end", () => resolve(text.split("\n")[0] ?? ""));
    stream.once("error", reject);
  });
}

/** Ask for a secret on the terminal without echoing it. */
function promptHidden(io: Io, question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, output: io.err as NodeJS.WritableStream, terminal: true });
    let asked = false;
    const out = rl as unknown as { _writeToOutput(s: string): void };
    out._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        io.err.write(s);
      }
    };
    rl.question(question, (answer) => {
      io.err.write("\n");
      rl.close();
      resolve(answer);
    });
  });
}
