"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { InboxBadge } from "./InboxBadge";

const LINKS = [
  { href: "/", label: "Runs", match: (p: string) => p === "/" || (p.startsWith("/runs/") && p !== "/runs/new") },
  { href: "/runs/new", label: "New run", match: (p: string) => p === "/runs/new" },
  { href: "/pipelines", label: "Pipelines", match: (p: string) => p.startsWith("/pipelines") },
  { href: "/schedules", label: "Schedules", match: (p: string) => p.startsWith("/schedules") },
  { href: "/inbox", label: "Inbox", match: (p: string) => p.startsWith("/inbox") },
];

/** Only admins manage tokens and webhooks (the pages and the GraphQL ops refuse everyone else anyway). */
const ADMIN_LINKS = [
  { href: "/webhooks", label: "Webhooks", match: (p: string) => p.startsWith("/webhooks") },
  { href: "/tokens", label: "Tokens", match: (p: string) => p.startsWith("/tokens") },
];

/** Primary navigation; the current page is marked for sight and for screen readers. */
export function NavLinks({
  initialGates,
  admin = false,
}: {
  initialGates: { id: string; runId: string }[];
  admin?: boolean;
}) {
  const pathname = usePathname() ?? "/";
  return (
    <ul className="flex items-center gap-1">
      {(admin ? [...LINKS, ...ADMIN_LINKS] : LINKS).map((l) => {
        const active = l.match(pathname);
        return (
          <li key={l.href}>
            <Link
              href={l.href}
              aria-current={active ? "page" : undefined}
              className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-sky-500 ${
                active
                  ? "bg-slate-900 text-white dark:bg-white dark:text-slate-900"
                  : "text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
              }`}
            >
              {l.label}
              {l.href === "/inbox" && <InboxBadge initial={initialGates} />}
            </Link>
          </li>
        );
      })}
      <li>
        <a
          href="/graphiql"
          className="inline-flex items-center gap-1 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
        >
          GraphiQL
          <svg
            aria-hidden
            viewBox="0 0 12 12"
            className="size-3 opacity-60"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          >
            <path d="M4.5 2.5h5v5M9.5 2.5 3 9" />
          </svg>
        </a>
      </li>
    </ul>
  );
}
