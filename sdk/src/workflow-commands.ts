/**
 * The workflow-command protocol of a command's stdout (SPEC §10), shared by the server's
 * `command` nodes and `signalbox worker -- <command>`: one parser, one behaviour.
 *
 *   ::progress 0.4          progress, 0..1
 *   ::cost 0.12             cost spent since the last ::cost
 *   ::metric loss=0.31      a named number
 *   ::output {"json":1}     the node's output (the last one wins)
 *   ::result {"row":1}      a row appended to the run's results table
 *
 * Any other line is a log line. A malformed command is reported, never fatal.
 */
export type WorkflowCommand =
  | { type: "log"; line: string }
  | { type: "progress"; value: number }
  | { type: "cost"; value: number }
  | { type: "metric"; name: string; value: number }
  | { type: "output"; value: unknown }
  | { type: "result"; row: Record<string, unknown> }
  | { type: "invalid"; line: string; error: string };

const COMMAND = /^::(progress|cost|metric|output|result)\s+(.*)$/;

/** Parse one line of a command's stdout (without its newline). */
export function parseWorkflowCommand(line: string): WorkflowCommand {
  const m = COMMAND.exec(line.trim());
  if (!m) return { type: "log", line };
  const [, cmd, arg] = m;
  try {
    switch (cmd) {
      case "progress":
        return { type: "progress", value: num(arg) };
      case "cost":
        return { type: "cost", value: num(arg) };
      case "metric": {
        const eq = arg.indexOf("=");
        if (eq < 1) throw new Error("expected name=value");
        return { type: "metric", name: arg.slice(0, eq).trim(), value: num(arg.slice(eq + 1)) };
      }
      case "output":
        return { type: "output", value: JSON.parse(arg) };
      default: {
        const row: unknown = JSON.parse(arg);
        if (!row || typeof row !== "object" || Array.isArray(row)) throw new Error("a result row is a JSON object");
        return { type: "result", row: row as Record<string, unknown> };
      }
    }
  } catch (e) {
    return { type: "invalid", line: line.slice(0, 200), error: (e as Error).message };
  }
}

/** The warning logged for an `invalid` command. */
export function invalidCommandMessage(c: { line: string; error: string }): string {
  return `bad workflow command "${c.line}": ${c.error}`;
}

function num(s: string): number {
  const n = Number(s.trim());
  if (s.trim() === "" || !Number.isFinite(n)) throw new Error(`not a number: ${s}`);
  return n;
}
