"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { useMutation } from "urql";
import { PromoteRunDocument } from "@/app/graphql/generated";
import { BUTTON_PRIMARY, INPUT } from "./buttons";
import { errorText } from "./mutations";

interface Promoted {
  name: string;
  version: number;
  checksum: string;
}

/** Names must be usable in URLs and CLIs. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

/** Make this succeeded run's spec the next version of a named pipeline (admin). */
export function PromoteForm({ runId, defaultName }: { runId: string; defaultName: string | null }) {
  const id = useId();
  const [name, setName] = useState(defaultName ?? "");
  const [result, promote] = useMutation(PromoteRunDocument);
  const promoted = result.data?.promoteRun as Promoted | undefined;
  const valid = NAME.test(name.trim());

  return (
    <section
      aria-label="Promote"
      data-testid="promote-form"
      className="mx-4 mt-4 flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border border-emerald-200 bg-emerald-50/70 px-4 py-3 text-sm sm:mx-6 dark:border-emerald-900 dark:bg-emerald-950/40"
    >
      <p className="font-medium text-emerald-900 dark:text-emerald-100">
        This run succeeded. Promote its spec to a named pipeline version:
      </p>
      <form
        className="flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void promote({ runId, name: name.trim() });
        }}
      >
        <label htmlFor={id} className="sr-only">
          Pipeline name
        </label>
        <input
          id={id}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="pipeline-name"
          aria-invalid={name !== "" && !valid}
          className={`${INPUT} h-8 w-56`}
        />
        <button type="submit" className={BUTTON_PRIMARY} disabled={!valid || result.fetching}>
          Promote
        </button>
      </form>
      {promoted && (
        <p data-testid="promoted" className="w-full text-emerald-900 dark:text-emerald-100">
          Created{" "}
          <Link href={`/pipelines/${encodeURIComponent(promoted.name)}`} className="font-semibold underline">
            {promoted.name} v{promoted.version}
          </Link>{" "}
          · checksum{" "}
          <code data-testid="promoted-checksum" className="break-all font-mono text-xs">
            {promoted.checksum}
          </code>
        </p>
      )}
      {result.error && (
        <p role="alert" className="text-rose-600 dark:text-rose-400">
          {errorText(result.error)}
        </p>
      )}
    </section>
  );
}
