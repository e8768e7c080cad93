import { parseAndValidateSpec } from "@/lib/spec/validate";
import { type LocatedProblem, locateProblems } from "./spec-problems";

/**
 * Validate spec text in the browser with the server's own validator (lib/spec: zod and
 * the graph checks), each problem placed at its line, so the editor marks problems as
 * they are typed. `command` nodes are allowed here: whether the namespace may run them is
 * the server's call at submit.
 */
export function checkSpecText(text: string): LocatedProblem[] {
  if (!text.trim()) return [];
  const result = parseAndValidateSpec(text, { allowCommands: true });
  return result.ok ? [] : locateProblems(text, result.problems);
}
