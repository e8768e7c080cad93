import type { CreateWebhookMutation, WebhookEvent, WebhookFieldsFragment } from "@/app/graphql/generated";

/** The webhooks page (admins only); its documents are in app/graphql/webhooks.graphql. */

export type WebhookView = WebhookFieldsFragment;
export type DeliveryView = WebhookView["deliveries"][number];
export type CreatedWebhook = CreateWebhookMutation["createWebhook"];
export type { WebhookEvent };

/** Every event, in the order the API lists them, with what it means for a receiver. */
export const EVENTS: { value: WebhookEvent; label: string; when: string }[] = [
  { value: "GATE_WAITING", label: "Gate waiting", when: "a gate needs a human decision" },
  { value: "GATE_DECIDED", label: "Gate decided", when: "a gate was approved, rejected, modified or timed out" },
  { value: "RUN_SUCCEEDED", label: "Run succeeded", when: "a run finished successfully" },
  { value: "RUN_FAILED", label: "Run failed", when: "a run failed" },
  { value: "RUN_CANCELLED", label: "Run cancelled", when: "a run was cancelled" },
  { value: "RUN_PAUSED", label: "Run paused", when: "an operator or the budget paused a run" },
];

export const eventLabel = (e: WebhookEvent) => EVENTS.find((x) => x.value === e)?.label ?? e;
