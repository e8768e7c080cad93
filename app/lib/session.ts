/** The web session cookie (httpOnly, SameSite=Lax) holding an API token; read by graphql/ too. */
export const SESSION_COOKIE = "signalbox_session";

/** 30 days: the token itself can be revoked at any time, which ends the session. */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/** A same-origin path to return to after login (never another origin: no open redirect). */
export function safeNext(next: string | null | undefined): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}
