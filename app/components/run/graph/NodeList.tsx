"use client";

import { memo, useMemo } from "react";
import { STATUS_TONES } from "../../status-tone";
import { parentOf } from "../run-state";
import type { NodeView } from "../types";
import { statusLine } from "./StatusNode";

/** Children of a map are summed up under it past this many; the drawer lists them. */
const INLINE_CHILDREN = 12;

/**
 * The graph as a list, for narrow screens: nodes in DAG order, each a button that opens
 * its drawer, with its status, kind, what it waits on, and a map's children under it.
 */
function NodeListView({
  nodes,
  selectedKey,
  onSelect,
}: {
  nodes: ReadonlyMap<string, NodeView>;
  selectedKey: string | null;
  onSelect: (key: string) => void;
}) {
  const { top, children } = useMemo(() => {
    const top: NodeView[] = [];
    const children = new Map<string, NodeView[]>();
    for (const n of nodes.values()) {
      const p = parentOf(n);
      if (p && nodes.has(p)) children.set(p, [...(children.get(p) ?? []), n]);
      else top.push(n);
    }
    return { top, children };
  }, [nodes]);

  const row = (n: NodeView, child = false) => (
    <li key={n.key}>
      <button
        type="button"
        onClick={() => onSelect(n.key)}
        data-node-key={n.key}
        data-status={n.status}
        aria-current={selectedKey === n.key ? "true" : undefined}
        className={`flex w-full items-start gap-2 px-3 py-2 text-left hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:hover:bg-slate-800/50 ${child ? "pl-8" : ""} ${selectedKey === n.key ? "bg-sky-50 dark:bg-sky-950/40" : ""}`}
      >
        <span
          aria-hidden
          className={`mt-1.5 size-2.5 shrink-0 rounded-full ${n.status === "RUNNING" ? "sbx-pulse" : ""}`}
          style={{ backgroundColor: STATUS_TONES[n.status].hex }}
        />
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline gap-2">
            <span className="font-mono text-[13px] font-medium break-all text-slate-900 dark:text-slate-100">
              {n.label ?? n.key}
            </span>
            <span className="ml-auto shrink-0 text-[10px] uppercase tracking-wide text-slate-600 dark:text-slate-400">
              {n.reused ? "reused" : n.kind}
            </span>
          </span>
          <span className="block text-xs text-slate-600 dark:text-slate-400">
            {statusLine(n)}
            {!child && n.needs.length > 0 && <> · after {n.needs.join(", ")}</>}
          </span>
        </span>
      </button>
    </li>
  );

  return (
    <ul
      aria-label="Nodes"
      className="h-full divide-y divide-slate-100 overflow-auto dark:divide-slate-800"
      data-testid="node-list"
    >
      {top.map((n) => {
        const kids = children.get(n.key) ?? [];
        if (kids.length === 0) return row(n);
        const counts = new Map<string, number>();
        for (const k of kids) counts.set(k.status, (counts.get(k.status) ?? 0) + 1);
        return [
          row(n),
          ...(kids.length <= INLINE_CHILDREN
            ? kids.map((k) => row(k, true))
            : [
                <li key={`${n.key}-children`} className="py-1.5 pr-3 pl-8 text-xs text-slate-600 dark:text-slate-400">
                  {kids.length} children: {[...counts].map(([s, c]) => `${c} ${s.toLowerCase()}`).join(" · ")}
                </li>,
              ]),
        ];
      })}
    </ul>
  );
}

export const NodeList = memo(NodeListView);
