"use client";

import { type ReactNode, useEffect, useRef, useState } from "react";
import { btn } from "./styles";

/**
 * A secret shown this once (a new token, a webhook's signing secret): it lives only in
 * this component's state, so a reload or leaving the page loses it for good — the API
 * never returns it again.
 */
export function OneTimeSecret({
  testId,
  inputId,
  label,
  heading,
  detail,
  warning,
  hint,
  secret,
  onDone,
}: {
  testId: string;
  inputId: string;
  /** The field's accessible name. */
  label: string;
  heading: ReactNode;
  /** A line under the heading (the webhook's URL). */
  detail?: ReactNode;
  /** Why it must be copied now, and what to do if it is lost. */
  warning: ReactNode;
  /** How to use it, after the copy status. */
  hint: ReactNode;
  secret: string;
  onDone: () => void;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "manual" | null>(null);

  // Announce the panel and bring it into view: this is the one chance to copy the secret.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      field.current?.select();
      setCopied("manual");
    }
  };

  return (
    <div
      data-testid={testId}
      className="rounded-xl border border-amber-300 bg-amber-50/70 p-4 sm:p-5 dark:border-amber-800/70 dark:bg-amber-950/30"
    >
      <h3 ref={headingRef} tabIndex={-1} className="scroll-mt-28 text-sm font-semibold focus:outline-none">
        {heading}
      </h3>
      {detail && <p className="mt-0.5 break-all font-mono text-xs text-slate-700 dark:text-slate-300">{detail}</p>}
      <p className="mt-2 text-sm text-amber-900 dark:text-amber-200">{warning}</p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor={inputId} className="sr-only">
          {label}
        </label>
        <input
          ref={field}
          id={inputId}
          readOnly
          value={secret}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full min-w-0 rounded-md border border-amber-300 bg-white px-2.5 py-1.5 font-mono text-sm text-slate-900 shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-amber-800 dark:bg-slate-950 dark:text-slate-100"
        />
        <button type="button" onClick={() => void copy()} className={`${btn.primary} shrink-0`}>
          {copied === "yes" ? "Copied ✓" : "Copy secret"}
        </button>
      </div>
      <p aria-live="polite" className="mt-2 text-xs text-slate-700 dark:text-slate-300">
        {copied === "yes" && "Copied to the clipboard. "}
        {copied === "manual" && "Selected: press Ctrl+C (⌘C) to copy. "}
        {hint}
      </p>
      <div className="mt-4">
        <button type="button" onClick={onDone} className={btn.secondary}>
          Done
        </button>
      </div>
    </div>
  );
}
