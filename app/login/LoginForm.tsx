"use client";

import { useEffect, useRef, useState } from "react";
import { btn, input, label } from "../components/ui/styles";

/**
 * Token login. A `#token=…` fragment (the link `npm start` prints) is read, removed from
 * the address bar at once, and submitted: fragments never reach a server or its logs.
 */
export function LoginForm({ next }: { next: string }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

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
      const body = (await res.json().catch(() => null)) as { error?: string } | null;
      setError(body?.error ?? `Login failed (HTTP ${res.status}).`);
    } catch {
      setError("The server could not be reached.");
    }
    setBusy(false);
    inputRef.current?.focus();
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, on the link's first load
  useEffect(() => {
    const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (!m) return;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    const secret = decodeURIComponent(m[1]);
    setToken(secret);
    void submit(secret);
  }, []);

  return (
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
  );
}
