/** Spec text → value: JSON or YAML, size-capped, with line/column in syntax errors. */
import YAML from "yaml";
import { MAX_SPEC_BYTES, type SpecProblem } from "./types";

export type ParseResult = { ok: true; value: unknown } | { ok: false; problems: SpecProblem[] };

const fail = (path: string, message: string) => ({ ok: false as const, problems: [{ path, message }] });

/** 1-based line and column of a UTF-16 offset, for syntax error messages. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split("\n").length}, column ${offset - before.lastIndexOf("\n")}`;
}

/**
 * Offset of the first JSON syntax error. Only used when V8's message carries no position
 * (e.g. "Unexpected token '}'"), so a small grammar walk is enough; -1 if the text is valid.
 */
function jsonErrorOffset(text: string): number {
  // Lenient on escapes and control characters: V8 reports a position for those errors itself.
  const scalar = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const stack: string[] = [];
  let expect: "value" | "key" | "after" = "value";
  let opened = false; // a container may close right after its opener: {} and []
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    const closer = stack.at(-1) === "{" ? "}" : "]";
    const wasOpened = opened;
    opened = false;
    if (stack.length > 0 && c === closer && (expect === "after" || wasOpened)) {
      stack.pop();
      i++;
      expect = "after";
    } else if (expect === "after") {
      if (stack.length === 0) return i < text.length ? i : -1;
      if (c !== ",") return i;
      i++;
      expect = closer === "}" ? "key" : "value";
    } else if (expect === "value" && (c === "{" || c === "[")) {
      stack.push(c);
      i++;
      expect = c === "{" ? "key" : "value";
      opened = true;
    } else {
      scalar.lastIndex = i;
      if ((expect === "key" && c !== '"') || !scalar.test(text)) return i;
      i = scalar.lastIndex;
      if (expect === "value") expect = "after";
      else {
        skipSpace();
        if (text[i] !== ":") return i;
        i++;
        expect = "value";
      }
    }
  }
}

function parseJson(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reported = /at position (\d+)/.exec(message);
    const located = reported ? Number(reported[1]) : jsonErrorOffset(text);
    const offset = located < 0 ? text.length : located;
    const reason = message.replace(/ at position \d+.*$/s, "").replace(/, (\.\.\.)?".*" is not valid JSON$/s, "");
    return fail("", `JSON syntax error at ${lineColumn(text, offset)}: ${reason}`);
  }
}

function parseYaml(text: string): ParseResult {
  try {
    const doc = YAML.parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      // prettyErrors puts "at line L, column C" on the first line, followed by a source excerpt.
      const problems = doc.errors.map((e) => ({
        path: "",
        message: `YAML syntax error: ${e.message.split("\n")[0].replace(/:$/, "")}`,
      }));
      return { ok: false, problems };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) }; // alias cap stops "billion laughs"
  } catch (error) {
    return fail("", `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Parses spec text: JSON when it starts with `{` or `[`, YAML otherwise.
 * Text over MAX_SPEC_BYTES (UTF-8) and syntax errors (with line/column) are problems at path "".
 */
export function parseSpecText(text: string): ParseResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SPEC_BYTES) return fail("", `spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} (1 MiB)`);
  const start = text.trimStart()[0];
  return start === "{" || start === "[" ? parseJson(text) : parseYaml(text);
}
