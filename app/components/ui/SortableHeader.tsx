/** Which way a column is sorted, if it is the sorted one. */
type SortDir = "asc" | "desc" | null;

/**
 * A table's column header that sorts by its column: a button with the direction arrow, and
 * `aria-sort` for screen readers. Results tables and the compare leaderboard share it.
 */
export function SortableHeader({
  label,
  dir,
  numeric,
  onToggle,
}: {
  label: string;
  dir: SortDir;
  numeric: boolean;
  onToggle: () => void;
}) {
  return (
    <th
      scope="col"
      aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}
      className={`border-b border-slate-200 px-3 py-2 text-xs font-semibold whitespace-nowrap text-slate-600 dark:border-slate-800 dark:text-slate-300 ${numeric ? "text-right" : "text-left"}`}
    >
      <button
        type="button"
        onClick={onToggle}
        className="inline-flex items-center gap-1 rounded hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:text-white"
      >
        {label}
        <span aria-hidden className={dir ? "text-sky-700 dark:text-sky-400" : "opacity-40"}>
          {dir === "asc" ? "▲" : dir === "desc" ? "▼" : "↕"}
        </span>
      </button>
    </th>
  );
}
