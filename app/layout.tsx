import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { changesSince, waitingGates } from "@/lib/runs/queries";
import { LiveProvider } from "./components/live/LiveProvider";
import { TopNav } from "./components/shell/TopNav";
import { THEME_SCRIPT } from "./components/shell/theme-script";
import { currentViewer, runtime } from "./lib/runtime.server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Signalbox", template: "%s · Signalbox" },
  description: "Live control room for DAG workflow runs",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

/** The shell: navigation and the live connection for signed-in pages; /login renders bare. */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The nonce of this response's CSP (proxy.ts): inline scripts without it do not run.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  const viewer = await currentViewer();
  const gates = viewer ? await waitingGates(runtime().db, viewer.namespace) : [];
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: static theme bootstrap, no user input */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-dvh bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        {viewer ? (
          <LiveProvider since={changesSince().toISOString()}>
            <TopNav
              viewer={{ name: viewer.name, namespace: viewer.namespace, role: viewer.role }}
              gates={gates.map((g) => ({ id: g.id, runId: g.runId }))}
            />
            <div id="main">{children}</div>
          </LiveProvider>
        ) : (
          <div id="main">{children}</div>
        )}
      </body>
    </html>
  );
}
