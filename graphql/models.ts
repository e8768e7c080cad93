/**
 * The parent objects GraphQL types resolve from (graphql-codegen "mappers"): domain
 * values from lib/, never copies. Keeping them here lets the generated resolver types
 * check every resolver against the SDL.
 */
import type { ExternalClaim } from "../lib/engine/leases";
import type { GateDecisionSnapshot, GateState, NodeSnapshot } from "../lib/engine/snapshot";
import type { EventType } from "../lib/events/types";
import type { RunPage } from "../lib/runs/queries";

export type { TokenInfo as ApiTokenModel, Viewer as ViewerModel } from "../lib/auth/tokens";
export type { Pipeline as PipelineModel, Run as RunModel } from "../lib/db/client";

export type NodeModel = NodeSnapshot;
export type GateModel = GateState;
export type GateDecisionModel = GateDecisionSnapshot;
export type RunConnectionModel = RunPage;
export type NodeLeaseModel = ExternalClaim;

/**
 * A stored event flattened into its GraphQL shape: the common fields plus the payload's
 * fields (SPEC §6 payloads already match the GraphQL types one to one). Built once per
 * event record and shared by every subscriber of the run in this process.
 */
export interface EventModel {
  id: string;
  seq: number;
  runId: string;
  at: Date;
  type: EventType;
  [field: string]: unknown;
}

export interface EventPageModel {
  events: EventModel[];
  nextSeq: number;
  hasMore: boolean;
}
