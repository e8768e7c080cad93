"use client";

import { formatRelative, formatTimestamp } from "./format";
import { useNow } from "./use-now";

/** "5m ago", kept current; the exact UTC time in the tooltip. */
export function RelativeTime({ iso, className = "" }: { iso: string | null | undefined; className?: string }) {
  const now = useNow(15_000);
  if (!iso) return <span className={className}>—</span>;
  return (
    <time dateTime={iso} title={formatTimestamp(iso)} className={className} suppressHydrationWarning>
      {now === null ? formatTimestamp(iso).slice(0, 16) : formatRelative(iso, now)}
    </time>
  );
}
