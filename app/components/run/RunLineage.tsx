import Link from "next/link";
import type { RunLinkFieldsFragment } from "@/app/graphql/generated";
import { shortId } from "../format";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { link } from "../ui/styles";

/**
 * "Started by schedule …", "Re-run of …" and "Re-runs: …" under the run's title (SPEC §11).
 * Renders nothing for other runs.
 */
export function RunLineage({
  rerunOf,
  reruns,
  schedule = null,
}: {
  rerunOf: RunLinkFieldsFragment | null;
  reruns: readonly RunLinkFieldsFragment[];
  schedule?: { id: string; name: string } | null;
}) {
  if (!rerunOf && reruns.length === 0 && !schedule) return null;
  return (
    <div className="mt-2 flex flex-col gap-1 text-sm text-slate-600 dark:text-slate-300" data-testid="run-lineage">
      {schedule && (
        <p data-testid="run-schedule">
          Started by schedule{" "}
          <Link href="/schedules" className={`${link} font-medium`}>
            {schedule.name}
          </Link>
        </p>
      )}
      {rerunOf && (
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span>Re-run of</span>
          <RunLink run={rerunOf} testId="rerun-of" />
        </p>
      )}
      {reruns.length > 0 && (
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span id="reruns-label">Re-runs</span>
          <ul aria-labelledby="reruns-label" className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {reruns.map((r) => (
              <li key={r.id}>
                <RunLink run={r} testId="rerun" />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function RunLink({ run, testId }: { run: RunLinkFieldsFragment; testId: string }) {
  return (
    <span className="inline-flex items-center gap-1.5" data-testid={testId} data-run-id={run.id}>
      <Link href={`/runs/${run.id}`} prefetch={false} className={`${link} font-mono text-xs`}>
        {shortId(run.id)}
      </Link>
      <StatusBadge status={run.status} size="sm" />
      <RelativeTime iso={run.createdAt} className="text-xs text-slate-500 dark:text-slate-400" />
    </span>
  );
}
