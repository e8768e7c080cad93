import { SignalboxError } from "./errors.js";
import {
  BudgetDocument,
  CancelDocument,
  DecideDocument,
  EventsPageDocument,
  type EventType,
  GatesDocument,
  GetRunDocument,
  type HumanDecisionInput,
  ListRunsDocument,
  type NodeFieldsFragment,
  PauseDocument,
  PipelinesDocument,
  PromoteDocument,
  RerunDocument,
  ResumeDocument,
  type RunControlFieldsFragment,
  type RunListFieldsFragment,
  type RunStatus,
  type RunTrigger,
  type SdkRunFragment,
  SubmitRunDocument,
  type SubmitRunInput,
} from "./generated.js";
import { type Connection, type Document, request } from "./http.js";
import { type RunEvent, type WatchOptions, watchRun } from "./watch.js";

export type Run = SdkRunFragment;
export type RunSummary = RunListFieldsFragment;
export type RunControl = RunControlFieldsFragment;
export type RunNode = NodeFieldsFragment;
export type { EventType, SubmitRunInput };

export interface ClientOptions extends Connection {}

export interface ListRunsOptions {
  status?: RunStatus[];
  pipeline?: string;
  search?: string;
  /** Page size (1..200, default 50). */
  first?: number;
  /** The `endCursor` of the previous page. */
  after?: string;
  /** Only runs started in one of these ways. */
  trigger?: RunTrigger[];
}

export interface RerunOptions {
  /** Reuse every node that succeeded in the source (a FAILED or CANCELLED run) and run the rest. */
  fromFailure?: boolean;
  /** Param overrides over the spec's defaults (as on submit); default: the source run's params. */
  params?: Record<string, unknown>;
}

export interface EventPage {
  events: RunEvent[];
  nextSeq: number;
  hasMore: boolean;
}

/**
 * A typed client of one Signalbox server: queries and mutations over GraphQL-over-HTTP,
 * live events over graphql-ws (falling back to graphql-sse). Every failure is a
 * `SignalboxError` with the server's `extensions.code`.
 */
export class SignalboxClient {
  constructor(private readonly conn: ClientOptions) {
    if (!conn.url) throw new SignalboxError("BAD_INPUT", "a server url is required");
    if (!conn.token) throw new SignalboxError("UNAUTHENTICATED", "a token is required");
  }

  /** The server URL and token this client uses. */
  get connection(): Connection {
    return this.conn;
  }

  /** Run a pipeline: `{ pipeline, version? }` (registered) or `{ spec }` (object, JSON or YAML text). */
  async submitRun(input: SubmitRunInput): Promise<Run> {
    return (await this.call(SubmitRunDocument, { input })).submitRun;
  }

  /** A run with its nodes (up to `nodes`, default 1,000). NOT_FOUND when it is not visible. */
  async getRun(id: string, opts: { nodes?: number } = {}): Promise<Run & { nodes: RunNode[] }> {
    const { run } = await this.call(GetRunDocument, { id, nodes: opts.nodes ?? 1000 });
    if (!run) throw new SignalboxError("NOT_FOUND", `run ${id} not found`);
    return run;
  }

  /** Runs, newest first, a page at a time. */
  async listRuns(
    opts: ListRunsOptions = {},
  ): Promise<{ runs: RunSummary[]; endCursor: string | null; hasNextPage: boolean }> {
    const { runs } = await this.call(ListRunsDocument, {
      ...opts,
      status: opts.status ?? null,
      trigger: opts.trigger ?? null,
    });
    return { runs: runs.nodes, endCursor: runs.pageInfo.endCursor, hasNextPage: runs.pageInfo.hasNextPage };
  }

  /** A page of a run's events after `afterSeq` (at most `first`, ≤ 1,000). */
  async events(
    runId: string,
    opts: { afterSeq?: number; first?: number; types?: EventType[] } = {},
  ): Promise<EventPage> {
    const { events } = await this.call(EventsPageDocument, {
      runId,
      afterSeq: opts.afterSeq ?? 0,
      first: opts.first ?? 500,
      types: opts.types ?? null,
    });
    return events;
  }

  /** Every event of a run after `afterSeq`, once each, in seq order, until RUN_COMPLETED. */
  watchRun(runId: string, opts: WatchOptions = {}): AsyncGenerator<RunEvent> {
    return watchRun(this.conn, runId, opts);
  }

  /** Approve, reject or modify a waiting gate. */
  async decide(input: HumanDecisionInput): Promise<RunNode> {
    return (await this.call(DecideDocument, { input })).humanDecision;
  }

  /** A new run of run `id`'s spec (trigger RERUN); `fromFailure` reuses what succeeded there. */
  async rerunRun(id: string, opts: RerunOptions = {}): Promise<Run> {
    const vars = { id, fromFailure: opts.fromFailure ?? false, params: opts.params ?? null };
    return (await this.call(RerunDocument, vars)).rerunRun;
  }

  async cancelRun(id: string): Promise<RunControl> {
    return (await this.call(CancelDocument, { id })).cancelRun;
  }

  async pauseRun(id: string): Promise<RunControl> {
    return (await this.call(PauseDocument, { id })).pauseRun;
  }

  async resumeRun(id: string): Promise<RunControl> {
    return (await this.call(ResumeDocument, { id })).resumeRun;
  }

  async setBudget(id: string, budget: number): Promise<RunControl> {
    return (await this.call(BudgetDocument, { id, budget })).setBudget;
  }

  /** Register a succeeded run's spec as a new version of pipeline `name` (admin). */
  async promoteRun(runId: string, name: string) {
    return (await this.call(PromoteDocument, { runId, name })).promoteRun;
  }

  /** Gates waiting for a decision, across runs. */
  async gates(): Promise<RunNode[]> {
    return (await this.call(GatesDocument, {})).gates;
  }

  /** Registered pipelines (latest versions). */
  async pipelines() {
    return (await this.call(PipelinesDocument, {})).pipelines;
  }

  private call<R, V>(doc: Document<R, V>, variables: V): Promise<R> {
    return request(this.conn, doc, variables);
  }
}
