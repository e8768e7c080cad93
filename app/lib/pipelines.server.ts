import "server-only";
import type { Pipeline } from "@/lib/db/client";

export interface PipelineGroup {
  name: string;
  /** Newest first. */
  versions: Pipeline[];
}

/** listPipelines' rows (name, then newest version first) grouped by name. */
export function groupPipelines(rows: Pipeline[]): PipelineGroup[] {
  const groups = new Map<string, Pipeline[]>();
  for (const p of rows) groups.set(p.name, [...(groups.get(p.name) ?? []), p]);
  return [...groups].map(([name, versions]) => ({ name, versions }));
}
