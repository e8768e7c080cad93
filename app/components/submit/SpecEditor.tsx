"use client";

import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { yaml } from "@codemirror/lang-yaml";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, forceLinting, linter, lintGutter } from "@codemirror/lint";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, placeholder } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { basicSetup } from "codemirror";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import printedSchema from "@/docs/pipeline.schema.json";
import { checkSpecText } from "./check-spec";
import { completeJsonSpec, completeYamlSpec, type JsonSchema } from "./spec-completion";
import type { LocatedProblem } from "./spec-problems";
import "./spec-editor.css";

export interface SpecEditorHandle {
  /** Focus the editor with the line (1-based) selected and scrolled into view. */
  goToLine(line: number): void;
}

interface Props {
  id: string;
  value: string;
  onChange?: (v: string) => void;
  /** Id of the element that names the editor (its visible label). */
  labelledBy: string;
  describedBy?: string;
  /** Problems the server reported for `value` (e.g. `command` refused): shown with the live ones. */
  serverProblems?: LocatedProblem[] | null;
  readOnly?: boolean;
}

/** Printed by `npm run schema:print` from the zod schemas (a unit test keeps it current). */
const schema = printedSchema as unknown as JsonSchema;

const isJson = (text: string) => /^\s*[[{]/.test(text);

/** Token colours as classes, so light and dark themes (and their contrast) live in CSS. */
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], class: "cm-sb-key" },
  { tag: [tags.string, tags.special(tags.string)], class: "cm-sb-string" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], class: "cm-sb-number" },
  { tag: [tags.comment, tags.lineComment], class: "cm-sb-comment" },
  { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace], class: "cm-sb-punct" },
]);

function completionSource(ctx: CompletionContext): CompletionResult | null {
  const text = ctx.state.doc.toString();
  const complete = isJson(text) ? completeJsonSpec : completeYamlSpec;
  const r = complete(schema, text, ctx.pos);
  if (!r) return null;
  // On an empty key position, only offer when asked (Ctrl-Space) or while typing.
  if (r.from === ctx.pos && !ctx.explicit && !/[:-]\s$/.test(text.slice(Math.max(0, ctx.pos - 2), ctx.pos))) {
    return null;
  }
  return { from: r.from, options: r.options, validFor: /^[\w-]*$/ };
}

function toDiagnostics(view: EditorView, problems: readonly LocatedProblem[]): Diagnostic[] {
  const doc = view.state.doc;
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(p.line ?? 1, 1), doc.lines));
    const indent = /^\s*(-\s+)?/.exec(line.text)?.[0].length ?? 0;
    return {
      from: Math.min(line.from + indent, line.to),
      to: line.to,
      severity: "error",
      message: p.path ? `${p.path}: ${p.message}` : p.message,
    };
  });
}

/**
 * The spec editor (CodeMirror 6): YAML or JSON highlighting by the text's first
 * character, the browser-side validator's problems as inline diagnostics at their line,
 * completion of keys, node kinds and `with` keys from the pipeline JSON Schema.
 * Tab is left to move focus (keyboard users can leave the editor); Enter keeps indentation.
 */
export const SpecEditor = forwardRef<SpecEditorHandle, Props>(function SpecEditor(
  { id, value, onChange, labelledBy, describedBy, serverProblems, readOnly = false },
  ref,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const aria = useRef(new Compartment());
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const serverRef = useRef(serverProblems);
  const initial = useRef({ value, id, labelledBy, readOnly });

  useEffect(() => {
    const start = initial.current;
    const lint = linter(
      (v) => {
        const text = v.state.doc.toString();
        const problems = checkSpecText(text);
        const server = (serverRef.current ?? []).filter(
          (s) => !problems.some((p) => p.path === s.path && p.message === s.message),
        );
        return toDiagnostics(v, [...problems, ...server]);
      },
      { delay: 300 },
    );
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: start.value,
        extensions: [
          basicSetup,
          language.current.of(isJson(start.value) ? json() : yaml()),
          syntaxHighlighting(highlight),
          EditorView.lineWrapping,
          placeholder("name: my-pipeline\nnodes:\n  - id: hello\n    kind: sleep\n    with: { ms: 1000 }"),
          aria.current.of(EditorView.contentAttributes.of({ id: start.id, "aria-labelledby": start.labelledBy })),
          EditorState.readOnly.of(start.readOnly),
          EditorView.editable.of(!start.readOnly),
          ...(start.readOnly ? [] : [lint, lintGutter(), autocompletion({ override: [completionSource] })]),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            const text = u.state.doc.toString();
            const wantJson = isJson(text);
            if (wantJson !== isJson(u.startState.doc.toString())) {
              u.view.dispatch({ effects: language.current.reconfigure(wantJson ? json() : yaml()) });
            }
            onChangeRef.current?.(text);
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // A value set from outside (a template, an uploaded file) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() === value) return;
    v.dispatch({
      changes: { from: 0, to: v.state.doc.length, insert: value },
      effects: language.current.reconfigure(isJson(value) ? json() : yaml()),
    });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: aria.current.reconfigure(
        EditorView.contentAttributes.of({
          id,
          "aria-labelledby": labelledBy,
          ...(describedBy ? { "aria-describedby": describedBy } : {}),
          ...(serverProblems?.length ? { "aria-invalid": "true" } : {}),
        }),
      ),
    });
  }, [id, labelledBy, describedBy, serverProblems]);

  useEffect(() => {
    serverRef.current = serverProblems;
    if (view.current && !readOnly) forceLinting(view.current);
  }, [serverProblems, readOnly]);

  useImperativeHandle(ref, () => ({
    goToLine(n: number) {
      const v = view.current;
      if (!v) return;
      const line = v.state.doc.line(Math.min(Math.max(n, 1), v.state.doc.lines));
      v.focus();
      v.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
    },
  }));

  return (
    <div
      ref={host}
      data-testid="spec-editor"
      className={`spec-editor overflow-hidden rounded-lg border border-slate-300 bg-white shadow-sm focus-within:border-sky-500 focus-within:ring-2 focus-within:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-950 ${readOnly ? "max-h-[32rem]" : "h-80 sm:h-96"}`}
    />
  );
});
