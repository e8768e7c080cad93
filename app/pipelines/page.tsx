import type { Metadata } from "next";
import Link from "next/link";
import { listPipelines } from "@/lib/pipelines/pipelines";
import { shortId } from "../components/format";
import { RelativeTime } from "../components/RelativeTime";
import { EmptyState } from "../components/ui/EmptyState";
import { PageBody, PageHeader } from "../components/ui/PageHeader";
import { btn, card } from "../components/ui/styles";
import { groupPipelines } from "../lib/pipelines.server";
import { requireViewer, runtime } from "../lib/runtime.server";

export const metadata: Metadata = { title: "Pipelines" };

const nodeCount = (spec: unknown) => ((spec as { nodes?: unknown[] })?.nodes ?? []).length;

/** `/pipelines` — registered pipelines: latest version, checksum, how many versions. */
export default async function PipelinesPage() {
  const viewer = await requireViewer("/pipelines");
  const groups = groupPipelines(await listPipelines(runtime().db, viewer.namespace));

  return (
    <PageBody>
      <PageHeader
        title="Pipelines"
        description="Named, versioned specs. Versions are immutable; a successful run can be promoted into the next one."
      />
      {groups.length === 0 ? (
        <EmptyState
          title="No pipelines yet"
          action={
            <Link href="/runs/new" className={btn.primary}>
              Run a spec
            </Link>
          }
        >
          Register a spec file, or promote a successful run from its console.
        </EmptyState>
      ) : (
        <ul aria-label="Pipelines" className={`${card} divide-y divide-slate-100 dark:divide-slate-800`}>
          {groups.map(({ name, versions }) => {
            const latest = versions[0];
            return (
              <li
                key={name}
                data-testid="pipeline-row"
                className="relative flex flex-col gap-2 px-4 py-3.5 hover:bg-slate-50 sm:flex-row sm:items-center sm:gap-6 dark:hover:bg-slate-800/40"
              >
                <div className="min-w-0 flex-1">
                  <Link
                    href={`/pipelines/${encodeURIComponent(name)}`}
                    className="font-medium text-slate-900 after:absolute after:inset-0 focus-visible:outline-none dark:text-slate-100 [&:focus-visible]:after:rounded-md [&:focus-visible]:after:outline-2 [&:focus-visible]:after:outline-sky-500"
                  >
                    {name}
                  </Link>
                  <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
                    {nodeCount(latest.spec)} node{nodeCount(latest.spec) === 1 ? "" : "s"} · updated{" "}
                    <RelativeTime iso={latest.createdAt.toISOString()} />
                  </p>
                </div>
                <div className="flex flex-wrap items-center gap-x-5 gap-y-1 text-sm">
                  <span className="rounded-md bg-slate-100 px-2 py-0.5 font-medium tabular-nums dark:bg-slate-800">
                    v{latest.version}
                  </span>
                  <span
                    className="font-mono text-xs text-slate-500 dark:text-slate-400"
                    title={`sha256 ${latest.checksum}`}
                  >
                    {shortId(latest.checksum, 12)}
                  </span>
                  <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
                    {versions.length} version{versions.length === 1 ? "" : "s"}
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </PageBody>
  );
}
