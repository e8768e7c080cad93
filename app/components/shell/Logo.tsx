/** The Signalbox mark: a signal head with one lamp lit. */
export function Logo({ className = "size-6" }: { className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className={className}>
      <rect x="5" y="2" width="14" height="20" rx="4" className="fill-slate-900 dark:fill-white" />
      <circle cx="12" cy="8" r="2.6" className="fill-emerald-400" />
      <circle cx="12" cy="16" r="2.6" className="fill-slate-600 dark:fill-slate-300" />
    </svg>
  );
}
