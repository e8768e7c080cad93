/** The web session cookie (httpOnly, SameSite=Lax) holding an API token; read by graphql/ too. */
export const SESSION_COOKIE = "signalbox_session";

/** 30 days: the token itself can be revoked at any time, which ends the session. */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

const BASE = "http://signalbox.invalid";

/**
 * A same-origin path to return to after login, else `/` (never another origin: no open
 * redirect). Only a path starting with one `/` is taken, and nothing browsers rewrite: they
 * drop tabs and newlines and read a backslash as `/`, so `/<TAB>/evil.example` and
 * `/<backslash>evil.example` both mean `//evil.example`. The path is then resolved against a
 * stand-in origin and must stay on it (`/.//evil` normalizes to `//evil`, so the normalized
 * form is checked again). Back to the login page itself is `/` too.
 */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== "string" || next.length > 2048 || !next.startsWith("/")) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u0020\u007f\\]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  const path = url.pathname + url.search + url.hash;
  if (url.origin !== BASE || !path.startsWith("/") || path.startsWith("//")) return "/";
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  return path;
}
