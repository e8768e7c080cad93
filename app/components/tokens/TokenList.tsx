"use client";

import { useState } from "react";
import { RelativeTime } from "../RelativeTime";
import { useNow } from "../use-now";
import { RevokeControl } from "./RevokeControl";
import { RoleBadge } from "./RoleBadge";
import { formatUntil, sessionBrowser, type TokenRow } from "./token-rows";

/** The grid every row and the header share (md+); phones stack the cells. */
const TOKEN_GRID =
  "md:grid md:grid-cols-[minmax(0,1.7fr)_6.5rem_6.5rem_6.5rem_minmax(8rem,1fr)_7.5rem] md:items-center md:gap-4";

export interface ListContext {
  kind: "api" | "session";
  /** The token this browser is logged in with, and (for a session) the token it was opened with. */
  current: { id: string; parentId: string | null };
  /** Active browser sessions by the API token they were opened with. */
  sessionCounts: Record<string, number>;
}

/** API tokens or browser sessions, one row each; ended ones stay listed, greyed, with their time. */
export function TokenList({ rows, label, context }: { rows: TokenRow[]; label: string; context: ListContext }) {
  const session = context.kind === "session";
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div
        aria-hidden
        className={`hidden border-b border-slate-200 bg-slate-50/80 px-4 py-2 text-[11px] font-medium uppercase tracking-wide text-slate-500 md:grid dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400 ${TOKEN_GRID}`}
      >
        <span>{session ? "Browser" : "Name"}</span>
        <span>Role</span>
        <span>{session ? "Started" : "Created"}</span>
        <span>Last used</span>
        <span>Status</span>
        <span className="sr-only">Actions</span>
      </div>
      <ul aria-label={label} className="divide-y divide-slate-100 dark:divide-slate-800">
        {rows.map((row) => (
          <TokenItem key={row.id} row={row} context={context} />
        ))}
      </ul>
    </div>
  );
}

function TokenItem({ row, context }: { row: TokenRow; context: ListContext }) {
  const session = context.kind === "session";
  const active = row.state === "active";
  const mine = row.id === context.current.id;
  const mineViaParent = row.id === context.current.parentId;
  const title = session ? sessionBrowser(row) : row.name;
  const sessions = context.sessionCounts[row.id] ?? 0;
  const [confirming, setConfirming] = useState(false);
  return (
    <li
      data-testid="token-row"
      data-token-id={row.id}
      data-state={row.state}
      className={`px-4 py-3 ${TOKEN_GRID} ${active ? "" : "bg-slate-50/60 text-slate-500 dark:bg-slate-950/30 dark:text-slate-400"}`}
    >
      <div className="flex items-start justify-between gap-3 md:block md:min-w-0">
        <div className={`min-w-0 ${active ? "" : "opacity-70"}`}>
          <p className="flex min-w-0 items-center gap-2">
            <span
              className={`truncate text-sm font-medium ${active ? "text-slate-900 dark:text-slate-100" : "text-slate-500 line-through decoration-slate-400/60 dark:text-slate-400"}`}
            >
              {title}
            </span>
            {mine && (
              <span className="shrink-0 rounded-full bg-emerald-50 px-1.5 text-[10px] font-semibold uppercase tracking-wide text-emerald-700 ring-1 ring-inset ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800">
                this browser
              </span>
            )}
          </p>
          <p className="truncate text-[11px] text-slate-500 dark:text-slate-400">
            {session ? (
              <>opened with {row.parentName ?? "a deleted token"}</>
            ) : (
              <>
                <span className="font-mono">{row.id.slice(0, 8)}</span>
                {sessions > 0 && ` · ${sessions} browser session${sessions === 1 ? "" : "s"}`}
              </>
            )}
          </p>
        </div>
        <span className={`shrink-0 md:hidden ${active ? "" : "opacity-70"}`}>
          <RoleBadge role={row.role} />
        </span>
      </div>
      <div className={`hidden md:block ${active ? "" : "opacity-70"}`}>
        <RoleBadge role={row.role} />
      </div>
      <Cell label={session ? "started" : "created"}>
        <RelativeTime iso={row.createdAt} />
      </Cell>
      <Cell label="last used">{row.lastUsedAt ? <RelativeTime iso={row.lastUsedAt} /> : "never"}</Cell>
      {/* Phones: status and action share a line; md+: two cells of the grid. */}
      <div className={confirming ? "md:contents" : "mt-1 flex min-h-7 items-center justify-between gap-3 md:contents"}>
        <div className="text-xs md:text-sm">
          <Status row={row} />
        </div>
        <div className={confirming ? "mt-3 md:col-span-6 md:mt-1" : "-mr-2 md:mr-0 md:text-right"}>
          {active && (
            <RevokeControl
              tokenId={row.id}
              action={session ? "End session" : "Revoke"}
              question={session ? `End the session in ${title}?` : `Revoke “${row.name}”?`}
              consequence={consequence(session, sessions, mine || mineViaParent)}
              logsMeOut={mine || mineViaParent}
              confirming={confirming}
              setConfirming={setConfirming}
            />
          )}
        </div>
      </div>
    </li>
  );
}

function consequence(session: boolean, sessions: number, mine: boolean): string {
  const you = mine ? " This browser is logged in with it: you will be logged out." : "";
  if (session) return `That browser is logged out and its live updates stop.${you}`;
  const ends = sessions > 0 ? `, and its ${sessions} browser session${sessions === 1 ? "" : "s"} end` : "";
  return `Requests with it fail from now on, its live connections close${ends}. This cannot be undone.${you}`;
}

function Cell({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="mr-4 mt-1 inline-block text-xs text-slate-500 md:mr-0 md:mt-0 md:block md:text-sm dark:text-slate-400">
      <span className="text-slate-500 md:hidden dark:text-slate-400">{label} </span>
      {children}
    </div>
  );
}

function Status({ row }: { row: TokenRow }) {
  const now = useNow(60_000);
  if (row.state === "revoked") {
    return (
      <span className="text-slate-500 dark:text-slate-400">
        {row.parentId ? "Ended" : "Revoked"} <RelativeTime iso={row.revokedAt} />
      </span>
    );
  }
  if (row.state === "expired") {
    return (
      <span className="text-slate-500 dark:text-slate-400">
        Expired <RelativeTime iso={row.expiresAt} />
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-1.5 text-emerald-700 dark:text-emerald-400">
      <span aria-hidden className="size-1.5 rounded-full bg-emerald-500" />
      Active
      {row.expiresAt && now !== null && (
        <span className="text-slate-500 dark:text-slate-400"> · ends {formatUntil(row.expiresAt, now)}</span>
      )}
    </span>
  );
}
