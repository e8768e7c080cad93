/**
 * `@signalbox/sdk`: a typed client of a Signalbox server (runs, events, gates, control),
 * `watchRun` (every event once, in order, across reconnects), and `createWorker` for
 * external nodes, `verifyWebhook` for webhook receivers. The `signalbox` CLI is this
 * package's bin.
 */
export {
  type ClientOptions,
  type EventPage,
  type ListRunsOptions,
  type RerunOptions,
  type Run,
  type RunControl,
  type RunNode,
  type RunSummary,
  SignalboxClient,
} from "./client.js";
export { type ErrorCode, isSignalboxError, SignalboxError, type SpecProblem } from "./errors.js";
export type { Decision, EventType, NodeStatus, RunStatus, RunTrigger, SubmitRunInput } from "./generated.js";
export type { Connection } from "./http.js";
export type { LogLevel } from "./job-reporter.js";
export { type RunEvent, type Transport, type WatchOptions, type WatchStatus, watchRun } from "./watch.js";
export { type VerifyWebhookOptions, verifyWebhook } from "./webhooks.js";
export { createWorker, type Job, type Worker, type WorkerOptions } from "./worker.js";
export { parseWorkflowCommand, type WorkflowCommand } from "./workflow-commands.js";
