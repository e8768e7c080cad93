import { type AnyStatus, STATUS_TONES } from "./status-tone";

/** A tone-coded status chip; running statuses pulse. Works in server and client components. */
export function StatusBadge({
  status,
  reason,
  size = "md",
}: {
  status: AnyStatus;
  reason?: string | null;
  size?: "sm" | "md";
}) {
  const tone = STATUS_TONES[status];
  const pad = size === "sm" ? "px-1.5 py-0 text-[10px]" : "px-2 py-0.5 text-[11px]";
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full font-semibold uppercase tracking-wide ring-1 ring-inset ${pad} ${tone.badge}`}
    >
      <span
        aria-hidden
        className={`size-1.5 rounded-full ${tone.dot} ${status === "RUNNING" ? "animate-pulse" : ""}`}
      />
      {status.toLowerCase()}
      {reason && <span className="font-normal normal-case tracking-normal opacity-80">· {reason.toLowerCase()}</span>}
    </span>
  );
}
