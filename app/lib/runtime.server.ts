import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { authenticate, type Viewer } from "@/lib/auth/tokens";
import type { Runtime } from "@/lib/runtime";
import { SESSION_COOKIE } from "./session";

export type { Viewer };

/**
 * The process's Runtime, started by server.ts and kept on `globalThis` because Next's
 * bundles load their own copy of lib/ (one pool, one listener per process).
 */
export function runtime(): Runtime {
  const r = globalThis.__signalbox;
  if (!r)
    throw new Error("Signalbox runtime is not started: serve the app through server.ts (npm start / npm run dev)");
  return r;
}

/** The signed-in viewer from the session cookie, or null. Memoized per request. */
export const currentViewer = cache(async (): Promise<Viewer | null> => {
  const secret = (await cookies()).get(SESSION_COOKIE)?.value;
  return secret ? authenticate(runtime().db, secret) : null;
});

/** The viewer, or a redirect to /login (which returns to `from` afterwards). */
export async function requireViewer(from?: string): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) redirect(from && from !== "/" ? `/login?next=${encodeURIComponent(from)}` : "/login");
  return viewer;
}
