"use client";

import { OneTimeSecret } from "../ui/OneTimeSecret";
import type { CreatedToken } from "./documents";

/** The new token's secret, this once (the server keeps only its hash). */
export function NewTokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  return (
    <OneTimeSecret
      testId="new-token-secret"
      inputId="new-token-secret"
      label={`Secret of ${created.token.name}`}
      heading={
        <>
          Token “{created.token.name}” created · {created.token.role.toLowerCase()}
        </>
      }
      warning={
        <>
          <strong className="font-semibold">Copy the secret now: you won't see it again.</strong> Signalbox keeps only
          its hash; if it is lost, revoke the token and create a new one.
        </>
      }
      hint={
        <>
          Send it as <code className="font-mono">Authorization: Bearer …</code>, or paste it on the login page.
        </>
      }
      secret={created.secret}
      onDone={onDone}
    />
  );
}
