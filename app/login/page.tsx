import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "../components/shell/Logo";
import { currentViewer } from "../lib/runtime.server";
import { safeNext } from "../lib/session";
import { LoginForm } from "./LoginForm";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  if (await currentViewer()) redirect(next);
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-2.5">
          <Logo className="size-8" />
          <span className="text-lg font-semibold tracking-tight">Signalbox</span>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <h1 className="text-lg font-semibold tracking-tight">Log in</h1>
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
            Paste an API token. <code className="font-mono text-xs">npm start</code> prints a login link with the admin
            token.
          </p>
          <LoginForm next={next} />
        </div>
        <p className="mt-4 text-center text-xs text-slate-400 dark:text-slate-500">
          Logging in opens a session for this browser only (an httpOnly cookie); logging out ends it.
        </p>
      </div>
    </main>
  );
}
