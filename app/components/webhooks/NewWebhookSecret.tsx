"use client";

import { useEffect, useRef, useState } from "react";
import { btn } from "../ui/styles";

/**
 * The new webhook's signing secret, this once: it lives only in this component's state, so
 * a reload or leaving the page loses it for good (the API never returns it again).
 */
export function NewWebhookSecret({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "manual" | null>(null);

  // Announce the panel and bring it into view: this is the one chance to copy the secret.
  useEffect(() => {
    heading.current?.focus();
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
      data-testid="new-webhook-secret"
      className="rounded-xl border border-amber-300 bg-amber-50/70 p-4 sm:p-5 dark:border-amber-800/70 dark:bg-amber-950/30"
    >
      <h3 ref={heading} tabIndex={-1} className="scroll-mt-28 text-sm font-semibold focus:outline-none">
        Webhook created
      </h3>
      <p className="mt-0.5 break-all font-mono text-xs text-slate-700 dark:text-slate-300">{url}</p>
      <p className="mt-2 text-sm text-amber-900 dark:text-amber-200">
        <strong className="font-semibold">Copy the signing secret now: you won't see it again.</strong> Your receiver
        needs it to check the <code className="font-mono text-xs">Signalbox-Signature</code> header. If it is lost,
        delete the webhook and create a new one.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-webhook-secret" className="sr-only">
          Signing secret
        </label>
        <input
          ref={field}
          id="new-webhook-secret"
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
        Verify deliveries with <code className="font-mono">verifyWebhook</code> from{" "}
        <code className="font-mono">@signalbox/sdk</code>, or see the README for a plain Node check.
      </p>
      <div className="mt-4">
        <button type="button" onClick={onDone} className={btn.secondary}>
          Done
        </button>
      </div>
    </div>
  );
}
