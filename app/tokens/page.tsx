import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { hasRole, listTokens } from "@/lib/auth/tokens";
import { getNamespaceSettings } from "@/lib/namespaces/settings";
import { CommandsSwitch } from "../components/tokens/CommandsSwitch";
import { CreateTokenForm } from "../components/tokens/CreateTokenForm";
import { SessionList } from "../components/tokens/SessionList";
import { type ListContext, TokenList } from "../components/tokens/TokenList";
import { tokenRows } from "../components/tokens/token-rows";
import { EmptyState } from "../components/ui/EmptyState";
import { PageBody, PageHeader } from "../components/ui/PageHeader";
import { card } from "../components/ui/styles";
import { requireViewer, runtime } from "../lib/runtime.server";

export const metadata: Metadata = { title: "Tokens" };

/**
 * `/tokens` — the namespace's settings, API tokens and browser sessions (admins only; anyone else
 * gets this segment's not-found page, like the GraphQL ops refuse them). Read from
 * PostgreSQL here; the client leaves create and revoke through GraphQL, then re-read.
 */
export default async function TokensPage() {
  const viewer = await requireViewer("/tokens");
  if (!hasRole(viewer, "ADMIN")) notFound();
  const tokens = await listTokens(runtime().db, viewer.namespace);
  const settings = await getNamespaceSettings(runtime().db, viewer.namespace);
  const { api, sessions } = tokenRows(tokens);
  const me = tokens.find((t) => t.id === viewer.tokenId);
  const sessionCounts: Record<string, number> = {};
  for (const s of sessions) {
    if (s.state === "active" && s.parentId) sessionCounts[s.parentId] = (sessionCounts[s.parentId] ?? 0) + 1;
  }
  const context = (kind: ListContext["kind"]): ListContext => ({
    kind,
    current: { id: viewer.tokenId, parentId: me?.parentId ?? null },
    sessionCounts,
  });

  return (
    <PageBody>
      <PageHeader
        title="Tokens"
        description={
          <>
            Who can reach namespace <code className="font-mono text-xs">{viewer.namespace}</code>: API tokens for people
            and integrations, and the browser sessions opened with them.
          </>
        }
      />
      <div className="space-y-8">
        <section aria-labelledby="settings-heading" className={`${card} p-4 sm:p-5`}>
          <h2 id="settings-heading" className="mb-3 text-base font-semibold">
            Namespace settings
          </h2>
          <CommandsSwitch allowCommands={settings.allowCommands} commandsAvailable={runtime().settings.allowCommands} />
        </section>

        <section aria-labelledby="new-token-heading" className={`${card} p-4 sm:p-5`}>
          <h2 id="new-token-heading" className="mb-3 text-base font-semibold">
            New token
          </h2>
          <CreateTokenForm namespace={viewer.namespace} />
        </section>

        <section aria-labelledby="api-tokens-heading">
          <SectionHeading
            id="api-tokens-heading"
            title="API tokens"
            count={api.filter((t) => t.state === "active").length}
          >
            Send one as <code className="font-mono text-xs">Authorization: Bearer …</code> or log in with it. Only
            hashes are stored.
          </SectionHeading>
          {api.length === 0 ? (
            <EmptyState title="No API tokens yet">Create one above for a person or an integration.</EmptyState>
          ) : (
            <TokenList rows={api} label="API tokens" context={context("api")} />
          )}
        </section>

        <section aria-labelledby="sessions-heading">
          <SectionHeading
            id="sessions-heading"
            title="Browser sessions"
            count={sessions.filter((t) => t.state === "active").length}
          >
            Opened by logging in, each with a token of its own: logging out ends it, revoking its API token ends them
            all. Sessions expire after 30 days.
          </SectionHeading>
          <SessionList sessions={sessions} context={context("session")} />
        </section>
      </div>
    </PageBody>
  );
}

function SectionHeading({
  id,
  title,
  count,
  children,
}: {
  id: string;
  title: string;
  count: number;
  children: React.ReactNode;
}) {
  return (
    <div className="mb-3">
      <h2 id={id} className="flex items-baseline gap-2 text-base font-semibold">
        {title}
        <span className="text-sm font-normal tabular-nums text-slate-500 dark:text-slate-400">{count} active</span>
      </h2>
      <p className="mt-0.5 text-sm text-slate-500 dark:text-slate-400">{children}</p>
    </div>
  );
}
