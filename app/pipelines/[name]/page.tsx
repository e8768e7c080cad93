import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import YAML from "yaml";
import { listPipelines } from "@/lib/pipelines/pipelines";
import { shortId } from "../../components/format";
import { SpecNodes } from "../../components/pipelines/SpecNodes";
import { SpecSource } from "../../components/pipelines/SpecSource";
import { RelativeTime } from "../../components/RelativeTime";
import { RunPipelineForm } from "../../components/submit/RunPipelineForm";
import { PageBody, PageHeader } from "../../components/ui/PageHeader";
import { card, link } from "../../components/ui/styles";
import { requireViewer, runtime } from "../../lib/runtime.server";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ version?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

/** `/pipelines/[name]` — its versions with checksums, a version's spec, and a form to run it. */
export default async function PipelinePage({ params, searchParams }: Props) {
  const name = decodeURIComponent((await params).name);
  const viewer = await requireViewer(`/pipelines/${encodeURIComponent(name)}`);
  const versions = (await listPipelines(runtime().db, viewer.namespace)).filter((p) => p.name === name);
  if (versions.length === 0) notFound();
  const wanted = Number((await searchParams).version);
  const selected = versions.find((v) => v.version === wanted) ?? versions[0];
  const href = (v: number) => `/pipelines/${encodeURIComponent(name)}?version=${v}`;

  return (
    <PageBody wide>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500 dark:text-slate-400">
        <Link href="/pipelines" className={link}>
          <span aria-hidden>← </span>All pipelines
        </Link>
      </nav>
      <PageHeader
        title={name}
        description={
          <>
            v{selected.version} · <span className="font-mono text-xs">sha256 {shortId(selected.checksum, 16)}…</span>
          </>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <section aria-labelledby="versions-heading" className="min-w-0">
          <h2
            id="versions-heading"
            className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
          >
            Versions
          </h2>
          <ol className={`${card} divide-y divide-slate-100 overflow-hidden dark:divide-slate-800`}>
            {versions.map((v) => {
              const current = v.id === selected.id;
              return (
                <li
                  key={v.id}
                  data-testid="pipeline-version"
                  className={current ? "bg-sky-50/70 dark:bg-sky-950/30" : ""}
                >
                  <Link
                    href={href(v.version)}
                    aria-current={current ? "true" : undefined}
                    className="block px-4 py-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:hover:bg-slate-800/40"
                  >
                    <span className="flex items-center justify-between">
                      <span className="font-medium tabular-nums">v{v.version}</span>
                      <span className="text-xs text-slate-500 dark:text-slate-400">
                        <RelativeTime iso={v.createdAt.toISOString()} />
                      </span>
                    </span>
                    <span
                      className="mt-0.5 block truncate font-mono text-[11px] text-slate-500 dark:text-slate-400"
                      title={v.checksum}
                    >
                      {v.checksum}
                    </span>
                  </Link>
                  {v.promotedFrom && (
                    <p className="px-4 pb-3 text-xs text-slate-500 dark:text-slate-400">
                      promoted from{" "}
                      <Link href={`/runs/${v.promotedFrom}`} className={`${link} font-mono`}>
                        run {shortId(v.promotedFrom)}
                      </Link>
                    </p>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
        <div className="min-w-0 space-y-6">
          <section aria-labelledby="run-heading" className={`${card} p-4 sm:p-5`}>
            <h2 id="run-heading" className="mb-4 text-base font-semibold">
              Run this version
            </h2>
            <RunPipelineForm key={selected.id} name={name} version={selected.version} idPrefix="version" />
          </section>
          <section aria-labelledby="spec-heading" className="space-y-3">
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h2
                id="spec-heading"
                className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
              >
                Spec of v{selected.version}
              </h2>
              <Link
                href={`/runs/new?edit=${encodeURIComponent(name)}&version=${selected.version}`}
                className={`${link} text-sm`}
              >
                Edit a copy and run it
              </Link>
            </div>
            <SpecNodes spec={selected.spec} />
            <SpecSource text={YAML.stringify(selected.spec, { lineWidth: 0 })} labelledBy="spec-heading" />
          </section>
        </div>
      </div>
    </PageBody>
  );
}
