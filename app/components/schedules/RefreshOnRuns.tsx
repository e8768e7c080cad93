"use client";

import { useRouter } from "next/navigation";
import { useRef } from "react";
import { useRefetchOnRunsChanged } from "../live/use-refetch-on-runs-changed";

/**
 * Re-reads the page when runs of the namespace change — a schedule fired, a run finished —
 * at most every 5 s: last runs, skips and next fire times follow without polling. (The
 * hook's call on mount is skipped: the page was just rendered; changes since its render
 * are replayed by the subscription.)
 */
export function RefreshOnRuns() {
  const router = useRouter();
  const mounted = useRef(false);
  useRefetchOnRunsChanged(() => {
    if (mounted.current) router.refresh();
    mounted.current = true;
  }, 5_000);
  return null;
}
