import type { Metadata } from "next";
import Link from "next/link";
import { type ComparedRun, CompareView } from "@/app/components/compare/CompareView";
import { parseRunIds } from "@/app/components/compare/leaderboard";
import { shortId } from "@/app/components/format";
import { PageBody, PageHeader } from "@/app/components/ui/PageHeader";
import { link } from "@/app/components/ui/styles";
import { CompareRunDocument } from "@/app/graphql/generated";
import { serverQuery } from "@/app/lib/graphql.server";
import { requireViewer } from "@/app/lib/runtime.server";

export const dynamic = "force-dynamic";

/** More runs than this make the leaderboard unreadable (and each is one `run(id)` read). */
const MAX_COMPARED = 10;

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ runs?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Compare ${decodeURIComponent((await params).name)}` };
}

/** `/pipelines/<name>/compare?runs=a,b,c` — runs of one pipeline side by side, one merged leaderboard. */
export default async function ComparePage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  const ids = parseRunIds((await searchParams).runs, MAX_COMPARED);
  const viewer = await requireViewer(`/pipelines/${encodeURIComponent(name)}/compare`);
  const found = await Promise.all(ids.map((id) => serverQuery(viewer, CompareRunDocument, { id }).catch(() => null)));
  const runs: ComparedRun[] = [];
  const skipped: string[] = [];
  found.forEach((r, i) => {
    const run = r?.run;
    if (run && run.pipeline === name) runs.push({ ...run, params: (run.params ?? {}) as Record<string, unknown> });
    else skipped.push(ids[i]);
  });

  return (
    <PageBody wide>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500 dark:text-slate-400">
        <Link href={`/pipelines/${encodeURIComponent(name)}`} className={link}>
          <span aria-hidden>← </span>
          {name}
        </Link>
      </nav>
      <PageHeader
        title={`Compare runs of ${name}`}
        description={`${runs.length} run${runs.length === 1 ? "" : "s"}: params that differ, status, duration, cost, and every results table in one leaderboard.`}
      />
      {skipped.length > 0 && (
        <p
          role="status"
          className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200"
        >
          Not compared (not found, or not a run of {name}): {skipped.map((id) => shortId(id)).join(", ")}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Pick runs to compare on the{" "}
          <Link href={`/?pipeline=${encodeURIComponent(name)}`} className={link}>
            runs list
          </Link>{" "}
          (select rows, then Compare), or give them as <code className="font-mono">?runs=id,id,…</code>.
        </p>
      ) : (
        <CompareView runs={runs} />
      )}
    </PageBody>
  );
}
