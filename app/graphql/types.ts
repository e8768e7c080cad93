/**
 * Names the web app uses for the generated types of its documents (generated.ts, from
 * `app/graphql/*.graphql` and the SDL by `npm run graphql:print`). Nothing here is written
 * by hand but the names: a field added to a fragment appears in these types.
 */
import type {
  GateDecisionFieldsFragment,
  NodeFieldsFragment,
  RunEventFieldsFragment,
  RunListFieldsFragment,
} from "./generated";

export type {
  Decision,
  EventType,
  LogLevel,
  NodeStatus,
  Role,
  RunStatus,
  SubmitRunInput,
} from "./generated";

/** A node's complete state (`NodeFields`), as NODE_STATE events carry it. */
export type RunNode = NodeFieldsFragment;
export type GateDecision = GateDecisionFieldsFragment;
/** What lists show of a run (`RunListFields`). */
export type RunSummary = RunListFieldsFragment;
export type Cost = RunSummary["cost"];

/** One event of a run's log (`RunEventFields`), discriminated by `__typename` (SPEC §6). */
export type RunEvent = RunEventFieldsFragment;
/** The event of one concrete type, e.g. `EventOf<"LogEvent">`. */
export type EventOf<T extends RunEvent["__typename"]> = Extract<RunEvent, { __typename: T }>;
/** `results.rows` of a ResultsEvent are only the rows it added, starting at row `offset`. */
export type ResultsTable = EventOf<"ResultsEvent">["results"];
