import { cookies } from "next/headers";
import type { NextRequest } from "next/server";
import { endSession, type OpenedSession } from "@/lib/auth/sessions";
import { log } from "@/lib/log";
import { runtime } from "../../lib/runtime.server";
import { SESSION_COOKIE } from "../../lib/session";

const isHttps = (req: NextRequest) =>
  req.nextUrl.protocol === "https:" || req.headers.get("x-forwarded-proto")?.split(",")[0].trim() === "https";

/** The session's own secret in an httpOnly, SameSite=Lax cookie that expires with the session. */
export async function setSessionCookie(req: NextRequest, session: OpenedSession): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, session.secret, {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(req),
    path: "/",
    expires: session.expiresAt,
  });
}

/**
 * Log out: revoke this browser's session (its live subscriptions end with the server's
 * revocation sweep) and delete the cookie. If the database cannot be reached the cookie is
 * still deleted: the orphaned session expires by itself.
 */
export async function endBrowserSession(): Promise<void> {
  const jar = await cookies();
  try {
    await endSession(runtime().db, jar.get(SESSION_COOKIE)?.value);
  } catch (err) {
    log.warn({ err }, "logout: the session could not be revoked; it will expire");
  }
  jar.delete(SESSION_COOKIE);
}
