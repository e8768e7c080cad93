import type { Metadata } from "next";
import Link from "next/link";
import { hasRole } from "@/lib/auth/tokens";
import { listPipelines } from "@/lib/pipelines/pipelines";
import { ConnectionIndicator } from "../components/live/ConnectionIndicator";
import { NewSchedule } from "../components/schedules/NewSchedule";
import { RefreshOnRuns } from "../components/schedules/RefreshOnRuns";
import { ScheduleCard } from "../components/schedules/ScheduleCard";
import { EmptyState } from "../components/ui/EmptyState";
import { PageBody, PageHeader } from "../components/ui/PageHeader";
import { btn } from "../components/ui/styles";
import { SchedulesDocument } from "../graphql/generated";
import { serverQuery } from "../lib/graphql.server";
import { groupPipelines } from "../lib/pipelines.server";
import { requireViewer, runtime } from "../lib/runtime.server";

export const metadata: Metadata = { title: "Schedules" };

/**
 * `/schedules` — the namespace's schedules: what each runs and when (next fires in the
 * schedule's time zone and the viewer's), its last runs and skipped fires. Operators create,
 * edit, enable and disable them in place (client leaves, then the page is re-read); a new
 * run of any schedule re-reads it too.
 */
export default async function SchedulesPage({ searchParams }: { searchParams: Promise<{ new?: string }> }) {
  const viewer = await requireViewer("/schedules");
  const creating = (await searchParams).new !== undefined;
  const [{ schedules }, rows] = await Promise.all([
    serverQuery(viewer, SchedulesDocument, {}),
    listPipelines(runtime().db, viewer.namespace),
  ]);
  const pipelines = groupPipelines(rows).map((g) => ({ name: g.name, versions: g.versions.map((v) => v.version) }));
  const canManage = hasRole(viewer, "OPERATOR");
  const create = canManage && pipelines.length > 0;
  const newLink = (
    <Link href="/schedules?new" scroll={false} className={btn.primary}>
      New schedule
    </Link>
  );

  return (
    <PageBody>
      <RefreshOnRuns />
      <PageHeader
        title="Schedules"
        description="Pipelines run on a cron, once per fire time however many servers run. Times follow each schedule's time zone, DST included."
        actions={
          <>
            <ConnectionIndicator />
            {create && !creating && schedules.length > 0 && newLink}
          </>
        }
      />
      {create && creating && <NewSchedule pipelines={pipelines} />}
      {schedules.length === 0 ? (
        pipelines.length === 0 ? (
          <EmptyState
            title="No pipelines to schedule"
            action={
              <Link href="/pipelines" className={btn.secondary}>
                Pipelines
              </Link>
            }
          >
            A schedule runs a registered pipeline: register one, or promote a successful run.
          </EmptyState>
        ) : (
          <EmptyState title="No schedules yet" action={create && !creating ? newLink : undefined}>
            {canManage
              ? "Run a pipeline every night, every hour, or every few seconds."
              : "Operators of this namespace can create them."}
          </EmptyState>
        )
      ) : (
        <ul aria-label="Schedules" className="space-y-4">
          {schedules.map((s) => (
            <ScheduleCard key={s.id} schedule={s} pipelines={pipelines} canManage={canManage} />
          ))}
        </ul>
      )}
    </PageBody>
  );
}
