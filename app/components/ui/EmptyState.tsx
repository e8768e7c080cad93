/** What a list shows when it has nothing (or failed): a calm message and a way forward. */
export function EmptyState({
  title,
  children,
  action,
  tone = "neutral",
}: {
  title: string;
  children?: React.ReactNode;
  action?: React.ReactNode;
  tone?: "neutral" | "error";
}) {
  const border =
    tone === "error"
      ? "border-rose-300 bg-rose-50/60 dark:border-rose-900 dark:bg-rose-950/30"
      : "border-slate-300 dark:border-slate-700";
  return (
    <div
      role={tone === "error" ? "alert" : undefined}
      className={`flex flex-col items-center rounded-xl border border-dashed px-6 py-12 text-center ${border}`}
    >
      <p className="text-sm font-semibold text-slate-800 dark:text-slate-100">{title}</p>
      {children && <div className="mt-1 max-w-md text-sm text-slate-500 dark:text-slate-400">{children}</div>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}
