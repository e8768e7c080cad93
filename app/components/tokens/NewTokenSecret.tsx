"use client";

import { useEffect, useRef, useState } from "react";
import { btn } from "../ui/styles";
import type { CreatedToken } from "./documents";

/**
 * The new token's secret, this once: it lives only in this component's state, so a reload
 * or leaving the page loses it for good (the server keeps only its hash).
 */
export function NewTokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "manual" | null>(null);

  // Announce the panel and bring it into view: this is the one chance to copy the secret.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied("yes");
    } catch {
      field.current?.select();
      setCopied("manual");
    }
  };

  return (
    <div
      data-testid="new-token-secret"
      className="rounded-xl border border-amber-300 bg-amber-50/70 p-4 sm:p-5 dark:border-amber-800/70 dark:bg-amber-950/30"
    >
      <h3 ref={heading} tabIndex={-1} className="text-sm font-semibold focus:outline-none">
        Token “{created.token.name}” created · {created.token.role.toLowerCase()}
      </h3>
      <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
        <strong className="font-semibold">Copy the secret now: you won't see it again.</strong> Signalbox keeps only its
        hash; if it is lost, revoke the token and create a new one.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-token-secret" className="sr-only">
          Secret of {created.token.name}
        </label>
        <input
          ref={field}
          id="new-token-secret"
          readOnly
          value={created.secret}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full min-w-0 rounded-md border border-amber-300 bg-white px-2.5 py-1.5 font-mono text-sm text-slate-900 shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-amber-800 dark:bg-slate-950 dark:text-slate-100"
        />
        <button type="button" onClick={() => void copy()} className={`${btn.primary} shrink-0`}>
          {copied === "yes" ? "Copied ✓" : "Copy secret"}
        </button>
      </div>
      <p aria-live="polite" className="mt-2 text-xs text-slate-600 dark:text-slate-400">
        {copied === "yes" && "Copied to the clipboard. "}
        {copied === "manual" && "Selected: press Ctrl+C (⌘C) to copy. "}
        Send it as <code className="font-mono">Authorization: Bearer …</code>, or paste it on the login page.
      </p>
      <div className="mt-4">
        <button type="button" onClick={onDone} className={btn.secondary}>
          Done
        </button>
      </div>
    </div>
  );
}
