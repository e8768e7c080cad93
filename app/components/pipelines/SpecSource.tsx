"use client";

import { SpecEditor } from "../submit/SpecEditor";

/** A registered version's spec as YAML in the (read-only) spec editor: highlighted, foldable, searchable. */
export function SpecSource({ text, labelledBy }: { text: string; labelledBy: string }) {
  return <SpecEditor id="pipeline-spec-source" value={text} labelledBy={labelledBy} readOnly />;
}
