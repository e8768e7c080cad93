import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RunConsole } from "@/app/components/run/RunConsole";
import { requireViewer, runtime } from "@/app/lib/runtime.server";
import { loadRunSnapshot } from "./load-snapshot";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${id.slice(0, 8)}` };
}

/**
 * The run console. Renders the run as PostgreSQL holds it now (run, nodes, cost, results,
 * recent events, `lastSeq`); the client leaves continue from exactly that seq.
 */
export default async function RunPage({ params }: Params) {
  const { id } = await params;
  const viewer = await requireViewer(`/runs/${id}`);
  const snapshot = await loadRunSnapshot(runtime().db, viewer, id);
  if (!snapshot) notFound();
  return <RunConsole snapshot={snapshot} />;
}
