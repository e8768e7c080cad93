import { card } from "../ui/styles";

interface SpecNode {
  id: string;
  kind: string;
  needs?: string[];
  label?: string;
  cost?: number;
  retries?: number;
}

/** A spec's nodes at a glance: id, kind, what each needs. */
export function SpecNodes({ spec }: { spec: unknown }) {
  const nodes = ((spec as { nodes?: SpecNode[] })?.nodes ?? []).filter((n) => n && typeof n.id === "string");
  if (nodes.length === 0) return null;
  return (
    <div className={`${card} overflow-x-auto`}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Nodes</caption>
        <thead className="border-b border-slate-200 text-[11px] uppercase tracking-wide text-slate-500 dark:text-slate-400 dark:border-slate-800">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Node
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Kind
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Needs
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {nodes.map((n) => (
            <tr key={n.id}>
              <td className="px-4 py-2 font-mono text-xs">
                {n.id}
                {n.label && <span className="ml-2 font-sans text-slate-500 dark:text-slate-400">{n.label}</span>}
              </td>
              <td className="px-4 py-2">
                <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700 dark:bg-slate-800 dark:text-slate-300">
                  {n.kind}
                </span>
              </td>
              <td className="px-4 py-2 font-mono text-xs text-slate-500 dark:text-slate-400">
                {n.needs?.length ? n.needs.join(", ") : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
