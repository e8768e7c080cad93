"use client";

import { OneTimeSecret } from "../ui/OneTimeSecret";

/** The new webhook's signing secret, this once. */
export function NewWebhookSecret({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  return (
    <OneTimeSecret
      testId="new-webhook-secret"
      inputId="new-webhook-secret"
      label="Signing secret"
      heading="Webhook created"
      detail={url}
      warning={
        <>
          <strong className="font-semibold">Copy the signing secret now: you won't see it again.</strong> Your receiver
          needs it to check the <code className="font-mono text-xs">Signalbox-Signature</code> header. If it is lost,
          delete the webhook and create a new one.
        </>
      }
      hint={
        <>
          Verify deliveries with <code className="font-mono">verifyWebhook</code> from{" "}
          <code className="font-mono">@signalbox/sdk</code>, or see the README for a plain Node check.
        </>
      }
      secret={secret}
      onDone={onDone}
    />
  );
}
