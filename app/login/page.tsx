import type { Metadata } from "next";
import { Logo } from "../components/shell/Logo";
import { currentViewer } from "../lib/runtime.server";
import { safeNext } from "../lib/session";
import { LoginForm } from "./LoginForm";

export const metadata: Metadata = { title: "Log in" };

/**
 * Log in with a token. A browser that is already logged in still gets this page (not a
 * redirect): a `#token=` link's fragment never reaches the server, so only the page can see
 * it and ask before replacing the session; without one, the page goes on to `next`.
 */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  const viewer = await currentViewer();
  const current = viewer ? { name: viewer.name, namespace: viewer.namespace, role: viewer.role } : null;
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        {!current && (
          // Logged in, the app's navigation above already says where this is.
          <div className="mb-6 flex items-center gap-2.5">
            <Logo className="size-8" />
            <span className="text-lg font-semibold tracking-tight">Signalbox</span>
          </div>
        )}
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <LoginForm next={next} current={current} />
        </div>
        <p className="mt-4 text-center text-xs text-slate-500 dark:text-slate-400">
          Logging in opens a session for this browser only (an httpOnly cookie); logging out ends it.
        </p>
      </div>
    </main>
  );
}
