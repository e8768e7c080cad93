import type { Metadata } from "next";
import { getRuns, waitingGates } from "@/lib/runs/queries";
import type { InboxGate } from "../components/inbox/documents";
import { InboxList } from "../components/inbox/InboxList";
import { ConnectionIndicator } from "../components/live/ConnectionIndicator";
import { PageBody, PageHeader } from "../components/ui/PageHeader";
import { requireViewer, runtime } from "../lib/runtime.server";
import { nodeShape, runSummary } from "../lib/shape";

export const metadata: Metadata = { title: "Inbox" };

/** `/inbox` — gates waiting for a human across the namespace's runs, decided in place. */
export default async function InboxPage() {
  const viewer = await requireViewer("/inbox");
  const db = runtime().db;
  const gates = await waitingGates(db, viewer.namespace);
  const runs = new Map(
    (await getRuns(db, viewer.namespace, [...new Set(gates.map((g) => g.runId))])).map((r) => [r.id, runSummary(r)]),
  );
  const initial: InboxGate[] = gates.map((g) => ({ ...nodeShape(g), run: runs.get(g.runId) ?? null }));

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
