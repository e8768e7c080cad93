"use client";

import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { WebhooksDocument } from "@/app/graphql/generated";
import { useLive } from "../live/LiveProvider";
import { seedQuery } from "../live/urql-client";
import { useRefetchOnRunsChanged } from "../live/use-refetch-on-runs-changed";
import { EmptyState } from "../ui/EmptyState";
import { card } from "../ui/styles";
import { CreateWebhookForm } from "./CreateWebhookForm";
import type { WebhookView } from "./documents";
import { WebhookCard } from "./WebhookCard";

const VARS = {};
/** While a delivery is pending or retrying, its outcome is re-read this often. */
const PENDING_REFRESH_MS = 2_000;

/**
 * The form and the namespace's webhooks, kept current: re-read when runs change (a run
 * event is what queues a delivery) and, while any delivery is still pending, every 2 s
 * until its outcome is known — never polling when all is settled.
 */
export function WebhookList({ initial }: { initial: WebhookView[] }) {
  const live = useLive();
  useState(() => seedQuery(live, WebhooksDocument, VARS, { webhooks: initial }));
  const [result, refetch] = useQuery({ query: WebhooksDocument, variables: VARS });
  const reload = () => refetch({ requestPolicy: "network-only" });
  useRefetchOnRunsChanged(reload);
  const webhooks = result.data?.webhooks ?? initial;
  const pending = webhooks.some((w) => w.enabled && w.deliveries.some((d) => d.status === "PENDING"));
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => refetch({ requestPolicy: "network-only" }), PENDING_REFRESH_MS);
    return () => clearInterval(t);
  }, [pending, refetch]);

  return (
    <div className="space-y-8">
      <section aria-labelledby="new-webhook-heading" className={`${card} p-4 sm:p-5`}>
        <h2 id="new-webhook-heading" className="mb-3 text-base font-semibold">
          New webhook
        </h2>
        <CreateWebhookForm onCreated={reload} />
      </section>

      <section aria-labelledby="webhooks-heading" className="space-y-3">
        <div>
          <h2 id="webhooks-heading" className="flex items-baseline gap-2 text-base font-semibold">
            Webhooks
            <span className="text-sm font-normal tabular-nums text-slate-600 dark:text-slate-400">
              {webhooks.filter((w) => w.enabled).length} enabled
            </span>
          </h2>
          <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
            Each event is POSTed as JSON, signed with the webhook's secret. A failed delivery is retried after 1 s, 2 s,
            4 s … (at most 1 h apart) for 24 hours.
          </p>
        </div>
        {webhooks.length === 0 ? (
          <EmptyState title="No webhooks yet">
            Register an endpoint above to hear about gates and finished runs as they happen.
          </EmptyState>
        ) : (
          webhooks.map((w) => <WebhookCard key={w.id} webhook={w} onDeleted={reload} />)
        )}
      </section>
    </div>
  );
}
