import type { ReactNode } from "react";

/**
 * A small, safe Markdown renderer for gate descriptions: paragraphs, headings, lists,
 * fenced code, `code`, **bold**, *italic* and [links](https://…). It builds React
 * elements from text — never HTML — so a description cannot inject markup or script;
 * links are limited to http(s), mailto and same-site paths.
 */
export function Markdown({ source, className = "" }: { source: string; className?: string }) {
  return <div className={`space-y-2 text-sm leading-6 ${className}`}>{blocks(source)}</div>;
}

function blocks(source: string): ReactNode[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const out: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const key = out.length;
    if (!line.trim()) {
      i++;
    } else if (line.startsWith("```")) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.push(lines[i]);
      i++;
      out.push(
        <pre key={key} className="overflow-x-auto rounded-md bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800">
          {body.join("\n")}
        </pre>,
      );
    } else if (/^#{1,6}\s/.test(line)) {
      const level = /^#+/.exec(line)![0].length;
      // Nested under the page's h1 and the card's h2: description headings start at h3.
      const Heading = (["h3", "h4", "h5", "h6"] as const)[Math.min(level, 4) - 1];
      out.push(
        <Heading key={key} className={level <= 2 ? "text-base font-semibold" : "text-sm font-semibold"}>
          {inline(line.replace(/^#+\s*/, ""))}
        </Heading>,
      );
      i++;
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i]); i++) {
        items.push(lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, ""));
      }
      const List = ordered ? "ol" : "ul";
      out.push(
        <List key={key} className={`${ordered ? "list-decimal" : "list-disc"} space-y-0.5 pl-5`}>
          {items.map((item, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static text, positional
            <li key={j}>{inline(item)}</li>
          ))}
        </List>,
      );
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i].trim() && !/^(```|#{1,6}\s|\s*([-*+]|\d+[.)])\s)/.test(lines[i]); i++) {
        para.push(lines[i]);
      }
      out.push(<p key={key}>{inline(para.join(" "))}</p>);
    }
  }
  return out;
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*]+)\*|_([^_]+)_|\[([^\]]+)\]\(([^)\s]+)\)/g;

function safeHref(href: string): string | null {
  if (/^(https?:|mailto:)/i.test(href)) return href;
  if (href.startsWith("/") && !href.startsWith("//")) return href;
  return null;
}

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const k = out.length;
    if (m[1] !== undefined) {
      out.push(
        <code key={k} className="rounded bg-slate-100 px-1 font-mono text-[0.85em] dark:bg-slate-800">
          {m[1]}
        </code>,
      );
    } else if (m[2] !== undefined || m[3] !== undefined) {
      out.push(<strong key={k}>{inline(m[2] ?? m[3])}</strong>);
    } else if (m[4] !== undefined || m[5] !== undefined) {
      out.push(<em key={k}>{inline(m[4] ?? m[5])}</em>);
    } else {
      const href = safeHref(m[7]);
      out.push(
        href ? (
          <a
            key={k}
            href={href}
            rel="noopener noreferrer nofollow"
            target="_blank"
            className="text-sky-700 underline underline-offset-2 dark:text-sky-400"
          >
            {m[6]}
          </a>
        ) : (
          m[0]
        ),
      );
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
