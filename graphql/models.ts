/**
 * The parent objects GraphQL types resolve from (graphql-codegen "mappers"): domain
 * values from lib/, never copies. Keeping them here lets the generated resolver types
 * check every resolver against the SDL.
 */
import type { ExternalClaim } from "../lib/engine/leases";
import type { GateDecisionSnapshot, GateState, NodeSnapshot } from "../lib/engine/snapshot";
import type { FlatEvent } from "../lib/events/shape";
import type { RunPage } from "../lib/runs/queries";

export type { TokenInfo as ApiTokenModel, Viewer as ViewerModel } from "../lib/auth/tokens";
export type { Pipeline as PipelineModel, Run as RunModel } from "../lib/db/client";
export type { Schedule as ScheduleModel, ScheduleFire as ScheduleFireModel } from "../lib/schedules/schedules";
export type {
  AttemptInfo as WebhookAttemptModel,
  DeliveryInfo as WebhookDeliveryModel,
  WebhookInfo as WebhookModel,
} from "../lib/webhooks/queries";

export type NodeModel = NodeSnapshot;
export type GateModel = GateState;
export type GateDecisionModel = GateDecisionSnapshot;
export type RunConnectionModel = RunPage;
export type NodeLeaseModel = ExternalClaim;

/** A stored event flattened into its GraphQL shape (lib/events/shape.ts). */
export type EventModel = FlatEvent;

export interface EventPageModel {
  events: EventModel[];
  nextSeq: number;
  hasMore: boolean;
}
