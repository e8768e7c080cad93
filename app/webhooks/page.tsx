import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { hasRole } from "@/lib/auth/tokens";
import { ConnectionIndicator } from "../components/live/ConnectionIndicator";
import { PageBody, PageHeader } from "../components/ui/PageHeader";
import { WebhookList } from "../components/webhooks/WebhookList";
import { WebhooksDocument } from "../graphql/generated";
import { serverQuery } from "../lib/graphql.server";
import { requireViewer } from "../lib/runtime.server";

export const metadata: Metadata = { title: "Webhooks" };

/**
 * `/webhooks` — the namespace's webhooks and their recent deliveries (admins only; anyone
 * else gets this segment's not-found page, as the GraphQL operations refuse them).
 */
export default async function WebhooksPage() {
  const viewer = await requireViewer("/webhooks");
  if (!hasRole(viewer, "ADMIN")) notFound();
  const { webhooks } = await serverQuery(viewer, WebhooksDocument, {});
  return (
    <PageBody>
      <PageHeader
        title="Webhooks"
        description={
          <>
            HTTP endpoints told about namespace <code className="font-mono text-xs">{viewer.namespace}</code>&apos;s
            gates and finished runs.
          </>
        }
        actions={<ConnectionIndicator />}
      />
      <WebhookList initial={webhooks} />
    </PageBody>
  );
}
