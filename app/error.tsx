"use client";

import { EmptyState } from "./components/ui/EmptyState";
import { PageBody } from "./components/ui/PageHeader";
import { btn } from "./components/ui/styles";

/** Unexpected failures of a page: say so calmly, offer a retry. Details stay in the server log. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <PageBody>
      <EmptyState
        tone="error"
        title="This page could not be loaded"
        action={
          <button type="button" onClick={reset} className={btn.secondary}>
            Try again
          </button>
        }
      >
        Something went wrong on the server{error.digest ? ` (reference ${error.digest})` : ""}. If the database was
        restarting, trying again usually works.
      </EmptyState>
    </PageBody>
  );
}
