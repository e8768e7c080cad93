import type { Metadata } from "next";
import { InboxList } from "../components/inbox/InboxList";
import { ConnectionIndicator } from "../components/live/ConnectionIndicator";
import { PageBody, PageHeader } from "../components/ui/PageHeader";
import { InboxDocument } from "../graphql/generated";
import { serverQuery } from "../lib/graphql.server";
import { requireViewer } from "../lib/runtime.server";

export const metadata: Metadata = { title: "Inbox" };

/** `/inbox` — gates waiting for a human across the namespace's runs, decided in place. */
export default async function InboxPage() {
  const viewer = await requireViewer("/inbox");
  const { gates: initial } = await serverQuery(viewer, InboxDocument, {});

  return (
    <PageBody>
      <PageHeader
        title="Inbox"
        description="Human gates waiting across runs, oldest first. Approve, reject, or modify what flows on."
        actions={<ConnectionIndicator />}
      />
      <InboxList initial={initial} />
    </PageBody>
  );
}
