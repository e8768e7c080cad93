"use client";

import { useEffect, useRef, useState } from "react";
import { btn, input, label, link } from "../components/ui/styles";

/** Who a token (or the current session) logs in as. */
export interface Identity {
  name: string;
  namespace: string;
  role: string;
}

type View =
  | { kind: "form" }
  /** Logged in, no link: on to `next` (a link too, for browsers without JavaScript). */
  | { kind: "continue" }
  /** A `#token=` link while logged in: looking the token up (no session opened). */
  | { kind: "checking" }
  /** …and asking before replacing the session with the link's. */
  | { kind: "confirm"; secret: string; token: Identity }
  /** …the link's token does not work: stay as we are. */
  | { kind: "link-failed"; error: string };

const roleName = (role: string) => role.toLowerCase();

async function errorOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: string } | null;
  return body?.error ?? `Login failed (HTTP ${res.status}).`;
}

/**
 * Token login. A `#token=…` fragment (the link `npm start` prints) is read and removed from
 * the address bar at once: fragments never reach a server or its logs. Logged out, the link
 * logs in. Logged in, the page first asks: the token is looked up without logging in
 * (`dryRun`), and its namespace and role are shown next to the current session's, so a link
 * someone sent cannot silently swap the session for theirs.
 */
export function LoginForm({ next, current }: { next: string; current: Identity | null }) {
  const [view, setView] = useState<View>(current ? { kind: "continue" } : { kind: "form" });
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const started = useRef(false);

  const submit = async (secret: string) => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: secret }),
      });
      if (res.ok) {
        // A full load: the layout re-renders with the session (navigation, live connection).
        window.location.assign(next);
        return;
      }
      setError(await errorOf(res));
    } catch {
      setError("The server could not be reached.");
    }
    setView({ kind: "form" });
    setBusy(false);
    inputRef.current?.focus();
  };

  /** Confirmed: end this browser's session, then log in with the link's token. */
  const replace = async (secret: string) => {
    setBusy(true);
    await fetch("/api/session", { method: "DELETE" }).catch(() => {});
    await submit(secret);
  };

  const lookUp = async (secret: string) => {
    setView({ kind: "checking" });
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: secret, dryRun: true }),
      });
      if (!res.ok) {
        setView({ kind: "link-failed", error: await errorOf(res) });
        return;
      }
      const body = (await res.json()) as { token: Identity };
      setView({ kind: "confirm", secret, token: body.token });
    } catch {
      setView({ kind: "link-failed", error: "The server could not be reached." });
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, on the page's first load
  useEffect(() => {
    if (started.current) return; // React's strict mode runs effects twice in development
    started.current = true;
    const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (!m) {
      if (current) window.location.replace(next);
      return;
    }
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    let secret = m[1];
    try {
      secret = decodeURIComponent(secret);
    } catch {
      // not percent-encoded: use as is
    }
    if (current) {
      void lookUp(secret);
      return;
    }
    setToken(secret);
    void submit(secret);
  }, []);

  if (current && view.kind !== "form") {
    return (
      <div>
        <h1 className="text-lg font-semibold tracking-tight">
          {view.kind === "confirm" ? "Switch session?" : "Already logged in"}
        </h1>
        {view.kind === "confirm" ? (
          <>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-300" data-testid="switch-question">
              You are logged in to <strong className="font-semibold">{current.namespace}</strong> as{" "}
              <strong className="font-semibold">{roleName(current.role)}</strong>; replace with{" "}
              <strong className="font-semibold">{view.token.namespace}</strong>/
              <strong className="font-semibold">{roleName(view.token.role)}</strong>?
            </p>
            <dl className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
              <IdentityRow caption="Now" who={current} />
              <IdentityRow caption="Link" who={view.token} />
            </dl>
            <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
              Only replace it if you opened this link yourself: whoever made it chooses what you will see and change.
            </p>
            <div className="mt-5 flex flex-col gap-2">
              <button
                type="button"
                disabled={busy}
                onClick={() => void replace(view.secret)}
                className={`${btn.primary} w-full`}
              >
                {busy ? "Switching…" : `Switch to ${view.token.namespace}/${roleName(view.token.role)}`}
              </button>
              <a href={next} className={`${btn.secondary} w-full`}>
                Stay in {current.namespace}
              </a>
            </div>
          </>
        ) : (
          <>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
              You are logged in to <strong className="font-semibold">{current.namespace}</strong> as{" "}
              <strong className="font-semibold">{roleName(current.role)}</strong>.
            </p>
            {view.kind === "checking" && (
              <p className="mt-3 text-sm text-slate-500 dark:text-slate-400" role="status">
                Checking the link's token…
              </p>
            )}
            {view.kind === "link-failed" && (
              <p role="alert" className="mt-3 text-sm text-rose-600 dark:text-rose-400">
                The link's token was not used: {view.error}
              </p>
            )}
            <a href={next} className={`${btn.primary} mt-5 w-full`}>
              Continue
            </a>
          </>
        )}
      </div>
    );
  }

  return (
    <div>
      <h1 className="text-lg font-semibold tracking-tight">Log in</h1>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
        Paste an API token. <code className="font-mono text-xs">npm start</code> prints a login link with the admin
        token.
      </p>
      <form
        className="mt-5 space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) void submit(token.trim());
        }}
      >
        <div>
          <label htmlFor="token" className={label}>
            API token
          </label>
          <input
            ref={inputRef}
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            placeholder="sbx_…"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "token-error" : undefined}
            className={`${input} font-mono`}
          />
        </div>
        {error && (
          <p id="token-error" role="alert" className="text-sm text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy} className={`${btn.primary} w-full`}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </form>
      {current && (
        <p className="mt-4 text-center text-sm">
          <a href={next} className={link}>
            Stay logged in to {current.namespace}
          </a>
        </p>
      )}
    </div>
  );
}

function IdentityRow({ caption, who }: { caption: string; who: Identity }) {
  return (
    <div className="flex items-baseline gap-3 px-3 py-2">
      <dt className="w-10 shrink-0 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {caption}
      </dt>
      <dd className="min-w-0 flex-1">
        <span className="font-medium">{who.namespace}</span>
        <span className="text-slate-500 dark:text-slate-400"> · {roleName(who.role)}</span>
        <span className="block truncate text-xs text-slate-500 dark:text-slate-400">token “{who.name}”</span>
      </dd>
    </div>
  );
}
