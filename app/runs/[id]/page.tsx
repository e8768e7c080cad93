import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RunConsole } from "@/app/components/run/RunConsole";
import { consoleSnapshot } from "@/app/components/run/types";
import { RunConsoleDocument } from "@/app/graphql/generated";
import { serverQuery } from "@/app/lib/graphql.server";
import { requireViewer } from "@/app/lib/runtime.server";
import { hasRole } from "@/lib/auth/tokens";
import { MAX_NODES_PAGE } from "@/lib/runs/queries";

export const dynamic = "force-dynamic";

/** Events rendered with the page; older ones load on demand in the event stream. */
const SNAPSHOT_EVENTS = 300;

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${id.slice(0, 8)}` };
}

/**
 * The run console. Renders the run as one consistent read (the `RunConsole` query: run,
 * nodes, cost, results, recent events and `lastSeq` in one REPEATABLE READ snapshot); the
 * client leaves continue from exactly that seq.
 */
export default async function RunPage({ params }: Params) {
  const { id } = await params;
  const viewer = await requireViewer(`/runs/${id}`);
  const { run } = await serverQuery(viewer, RunConsoleDocument, { id, nodes: MAX_NODES_PAGE, events: SNAPSHOT_EVENTS });
  if (!run) notFound();
  return (
    <RunConsole
      snapshot={consoleSnapshot(run, { operate: hasRole(viewer, "OPERATOR"), promote: hasRole(viewer, "ADMIN") })}
    />
  );
}
