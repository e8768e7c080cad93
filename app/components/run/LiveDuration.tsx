"use client";

import { useEffect, useState } from "react";
import { formatDuration } from "../format";

/**
 * Time since `startedAt` (until `finishedAt`), ticking while the run is active. Only this
 * leaf re-renders on the tick.
 */
export function LiveDuration({ startedAt, finishedAt }: { startedAt: string | null; finishedAt: string | null }) {
  const [now, setNow] = useState<number | null>(null);
  const active = startedAt !== null && finishedAt === null;
  useEffect(() => {
    setNow(Date.now());
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  if (!startedAt) return <span className="text-slate-500 dark:text-slate-400">not started</span>;
  const end = finishedAt ? Date.parse(finishedAt) : now;
  // Before hydration there is no client clock: render nothing rather than a server guess.
  if (end === null) return <span className="tabular-nums">…</span>;
  return (
    <span className="tabular-nums" data-testid="run-duration">
      {formatDuration(Math.max(0, end - Date.parse(startedAt)))}
    </span>
  );
}
