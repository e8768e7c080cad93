import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { authenticateFrom } from "@/lib/auth/limiter";
import type { Viewer } from "@/lib/auth/tokens";
import { CLIENT_ADDRESS_HEADER } from "@/lib/net/client-address";
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

/**
 * The signed-in viewer from the session cookie, or null. Memoized per request. Through the
 * failed-authentication limiter like every other credential: an unknown cookie counts
 * against the client address (a stale one, of a revoked or expired session, does not).
 */
export const currentViewer = cache(async (): Promise<Viewer | null> => {
  const secret = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!secret) return null;
  const address = (await headers()).get(CLIENT_ADDRESS_HEADER) ?? "unknown";
  return (await authenticateFrom(runtime().db, secret, address)).viewer;
});

/** The viewer, or a redirect to /login (which returns to `from` afterwards). */
export async function requireViewer(from?: string): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) redirect(from && from !== "/" ? `/login?next=${encodeURIComponent(from)}` : "/login");
  return viewer;
}
