import { type NextRequest, NextResponse } from "next/server";
import { SESSION_COOKIE } from "./app/lib/session";

/** The request header that hands a page render its nonce (read by app/layout.tsx). */
const NONCE_HEADER = "x-nonce";

/**
 * The pages' Content-Security-Policy: inline scripts only with this response's nonce (Next
 * puts it on its own), script files only from this origin, no eval outside
 * development (React's dev tools need it), nothing framed, no plugins, no foreign `<base>`
 * or form targets. Styles allow inline ones: React style attributes (xyflow positions
 * every node with one) cannot carry a nonce, and a nonce would switch 'unsafe-inline' off.
 */
export function pageCsp(nonce: string, dev: boolean, host?: string | null): string {
  // 'self' covers ws: and wss: only in newer browsers: name this host for the live connection.
  const sockets = host && /^[a-z0-9.:[\]-]+$/i.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    // No 'strict-dynamic': it would drop 'self', and the graph's layout worker loads its
    // chunks with importScripts under this policy (a silent failure: no graph).
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Paths that render without a session: the login page and files (which 404 as pages). */
const PUBLIC = /^\/login(\/|$)|\.[a-z0-9]+$/i;

/**
 * Every page response gets a CSP with a fresh nonce (the other security headers are set
 * for every response by the custom server, graphql/edge.ts). Pages need a session: without
 * the cookie, go to /login (and come back afterwards). Only presence is checked here (no
 * database in the proxy); pages validate the token through `requireViewer()`, which also
 * redirects when it was revoked.
 */
export function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const csp = pageCsp(nonce, process.env.NODE_ENV === "development", req.headers.get("host"));
  let res: NextResponse;
  if (!req.cookies.has(SESSION_COOKIE) && !PUBLIC.test(req.nextUrl.pathname)) {
    const url = req.nextUrl.clone();
    const from = req.nextUrl.pathname + req.nextUrl.search;
    url.pathname = "/login";
    url.search = from === "/" ? "" : `?next=${encodeURIComponent(from)}`;
    res = NextResponse.redirect(url);
  } else {
    // Next reads the nonce from the request's CSP header and puts it on its scripts.
    const headers = new Headers(req.headers);
    headers.set(NONCE_HEADER, nonce);
    headers.set("content-security-policy", csp);
    res = NextResponse.next({ request: { headers } });
  }
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  // Every page, /login and not-found pages included; not the API, Next's assets or GraphiQL
  // (graphql/server.ts gives those their own policy).
  matcher: ["/((?!api/|_next/|graphiql$|favicon\\.ico$).*)"],
};
