"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { useNow } from "../use-now";
import { formatFireTime, formatUntil } from "./fire-time";
import { hasSeconds } from "./schedule-form";
import { useViewerTimeZone } from "./use-viewer-time-zone";

const muted = "text-slate-600 dark:text-slate-400";

/**
 * The next fire times in the schedule's time zone and, when it differs, the viewer's (the
 * browser's: known only after hydration, so the server renders the schedule's alone).
 * Times that have passed since the page was read are left out; once all have, the page is
 * read again (at most every 2 s) for the next ones.
 */
export function FireTimes({
  times,
  timezone,
  cron,
  enabled,
}: {
  times: string[];
  timezone: string;
  cron: string;
  enabled: boolean;
}) {
  const viewer = useViewerTimeZone();
  const now = useNow(1000);
  const seconds = hasSeconds(cron);
  const upcoming = now === null ? times : times.filter((iso) => Date.parse(iso) > now - 1000);
  const router = useRouter();
  const refreshed = useRef(0);
  const allPassed = enabled && times.length > 0 && upcoming.length === 0;
  useEffect(() => {
    if (!allPassed || Date.now() - refreshed.current < 2000) return;
    refreshed.current = Date.now();
    router.refresh();
  }, [allPassed, router]);
  if (!enabled) return <p className={`text-sm ${muted}`}>No fires while disabled.</p>;
  if (upcoming.length === 0) return <p className={`text-sm ${muted}`}>No upcoming fires.</p>;
  const both = viewer !== null && viewer !== timezone;
  return (
    <table className="w-full text-sm" data-testid="next-fires">
      <thead>
        <tr className={`text-left text-xs ${muted}`}>
          <th scope="col" className="pb-1 pr-4 font-medium">
            {timezone}
            {both && <span className="font-normal sm:hidden"> · your time below ({viewer})</span>}
          </th>
          {both && (
            <th scope="col" className="hidden pb-1 pr-4 font-medium sm:table-cell">
              Your time ({viewer})
            </th>
          )}
          <th scope="col" className="sr-only">
            From now
          </th>
        </tr>
      </thead>
      <tbody className="tabular-nums">
        {upcoming.map((iso) => (
          <tr key={iso} className="align-top">
            <td className="py-0.5 pr-4">
              <time dateTime={iso} className="whitespace-nowrap" suppressHydrationWarning>
                {formatFireTime(iso, timezone, seconds)}
              </time>
              {both && (
                <span className={`block whitespace-nowrap text-xs sm:hidden ${muted}`}>
                  {formatFireTime(iso, viewer, seconds)}
                </span>
              )}
            </td>
            {both && (
              <td className="hidden whitespace-nowrap py-0.5 pr-4 text-slate-700 sm:table-cell dark:text-slate-300">
                {formatFireTime(iso, viewer, seconds)}
              </td>
            )}
            <td className={`whitespace-nowrap py-0.5 text-right text-xs ${muted}`}>
              {now !== null && formatUntil(iso, now)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
