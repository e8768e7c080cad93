import type { Metadata } from "next";
import Link from "next/link";
import type { RunStatus } from "@/lib/engine/statuses";
import { listPipelines } from "@/lib/pipelines/pipelines";
import { ConnectionIndicator } from "./components/live/ConnectionIndicator";
import { RUN_STATUSES, RUN_TRIGGERS, RUNS_PAGE_SIZE, type RunsVariables } from "./components/runs/documents";
import { RunsFilters } from "./components/runs/RunsFilters";
import { RunsTable } from "./components/runs/RunsTable";
import { EmptyState } from "./components/ui/EmptyState";
import { PageBody, PageHeader } from "./components/ui/PageHeader";
import { btn } from "./components/ui/styles";
import { RunsDocument, type RunTrigger } from "./graphql/generated";
import { serverQuery } from "./lib/graphql.server";
import { requireViewer, runtime } from "./lib/runtime.server";

export const metadata: Metadata = { title: "Runs" };

type Search = { status?: string; pipeline?: string; q?: string; trigger?: string };

/** `/` — the runs list: first page from PostgreSQL, then live through the client leaf. */
export default async function RunsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const viewer = await requireViewer("/");
  const sp = await searchParams;
  const status = (sp.status ?? "").split(",").filter((s): s is RunStatus => RUN_STATUSES.includes(s as RunStatus));
  const trigger = (sp.trigger ?? "").split(",").filter((t): t is RunTrigger => RUN_TRIGGERS.includes(t as RunTrigger));
  const variables: RunsVariables = {
    status: status.length ? status : null,
    pipeline: sp.pipeline || null,
    search: sp.q?.trim() || null,
    first: RUNS_PAGE_SIZE,
    after: null,
    trigger: trigger.length ? trigger : null,
  };
  const [initial, pipelines] = await Promise.all([
    serverQuery(viewer, RunsDocument, variables),
    listPipelines(runtime().db, viewer.namespace),
  ]);
  const filtered = Boolean(variables.status || variables.pipeline || variables.search || variables.trigger);
  const names = [...new Set(pipelines.map((p) => p.name))];

  return (
    <PageBody wide>
      <PageHeader
        title="Runs"
        description="Every run of this namespace, newest first. Statuses, progress and cost update live."
        actions={
          <>
            <ConnectionIndicator />
            <Link href="/runs/new" className={btn.primary}>
              New run
            </Link>
          </>
        }
      />
      <RunsFilters
        value={{ status, pipeline: variables.pipeline, search: variables.search, trigger }}
        pipelines={variables.pipeline && !names.includes(variables.pipeline) ? [...names, variables.pipeline] : names}
      />
      <RunsTable
        key={JSON.stringify(variables)}
        initial={initial}
        variables={variables}
        empty={
          filtered ? (
            <EmptyState
              title="No runs match these filters"
              action={
                <Link href="/" className={btn.secondary}>
                  Clear filters
                </Link>
              }
            >
              New runs that match will appear here as they start.
            </EmptyState>
          ) : (
            <EmptyState
              title="No runs yet"
              action={
                <Link href="/runs/new" className={btn.primary}>
                  Start a run
                </Link>
              }
            >
              Submit a spec or run one of the registered pipelines: it shows up here and updates live.
            </EmptyState>
          )
        }
      />
    </PageBody>
  );
}
