"use client";

import { forwardRef, useImperativeHandle, useRef } from "react";

export interface SpecEditorHandle {
  /** Focus the editor with the caret at the start of `line` (1-based), scrolled into view. */
  goToLine(line: number): void;
}

/**
 * A monospace spec editor: a textarea with a line-number gutter that marks the lines
 * the server's validation problems point at.
 */
export const SpecEditor = forwardRef<
  SpecEditorHandle,
  { id: string; value: string; onChange: (v: string) => void; errorLines: Set<number>; describedBy?: string }
>(function SpecEditor({ id, value, onChange, errorLines, describedBy }, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split("\n").length;

  useImperativeHandle(ref, () => ({
    goToLine(line: number) {
      const el = area.current;
      if (!el) return;
      const rows = value.split("\n");
      const start = rows.slice(0, line - 1).reduce((n, r) => n + r.length + 1, 0);
      el.focus();
      el.setSelectionRange(start, start + (rows[line - 1]?.length ?? 0));
      el.scrollTop = Math.max(0, (line - 4) * 20);
    },
  }));

  return (
    <div className="flex h-80 overflow-hidden rounded-lg border border-slate-300 bg-white shadow-sm focus-within:border-sky-500 focus-within:ring-2 focus-within:ring-sky-500/30 sm:h-96 dark:border-slate-700 dark:bg-slate-950">
      <div
        ref={gutter}
        aria-hidden
        className="w-10 shrink-0 overflow-hidden border-r border-slate-200 bg-slate-50 py-2 text-right font-mono text-xs leading-5 text-slate-500 select-none dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400"
      >
        {Array.from({ length: lines }, (_, i) => (
          <div
            // biome-ignore lint/suspicious/noArrayIndexKey: line numbers are positional
            key={i}
            className={`pr-2 ${errorLines.has(i + 1) ? "bg-rose-100 font-semibold text-rose-700 dark:bg-rose-950 dark:text-rose-300" : ""}`}
          >
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        ref={area}
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        aria-describedby={describedBy}
        aria-invalid={errorLines.size > 0 || undefined}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        wrap="off"
        placeholder={"name: my-pipeline\nnodes:\n  - id: hello\n    kind: sleep\n    with: { ms: 1000 }"}
        className="min-w-0 flex-1 resize-none bg-transparent px-3 py-2 font-mono text-xs leading-5 text-slate-900 outline-none placeholder:text-slate-400 dark:text-slate-100 dark:placeholder:text-slate-600"
      />
    </div>
  );
});
