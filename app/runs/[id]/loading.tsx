export default function RunLoading() {
  return (
    <div className="animate-pulse p-6" role="status" aria-busy="true" aria-label="Loading run">
      <div className="h-6 w-64 rounded bg-slate-200 dark:bg-slate-800" />
      <div className="mt-3 h-3 w-96 max-w-full rounded bg-slate-200 dark:bg-slate-800" />
      <div className="mt-8 grid gap-4 lg:grid-cols-[minmax(0,1fr)_440px]">
        <div className="h-[480px] rounded-xl bg-slate-200/70 dark:bg-slate-800/70" />
        <div className="h-[480px] rounded-xl bg-slate-200/70 dark:bg-slate-800/70" />
      </div>
    </div>
  );
}
