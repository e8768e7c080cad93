import { type AnyStatus, STATUS_TONES } from "./status-tone";

/** A thin progress bar in the status colour; running bars shimmer. */
export function ProgressBar({
  value,
  status,
  className = "",
  label = "Progress",
}: {
  value: number;
  status: AnyStatus;
  className?: string;
  label?: string;
}) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className={`h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 ${className}`}
    >
      <div
        className={`h-full rounded-full transition-[width] duration-500 ease-out ${STATUS_TONES[status].dot} ${status === "RUNNING" ? "progress-shimmer" : ""}`}
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}
