"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { useMutation } from "urql";
import { SetNamespaceSettingsDocument } from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";

/**
 * The namespace's `command` node switch (GraphQL `setNamespaceSettings`, admins only).
 * Commands run only when this and the server's SIGNALBOX_ALLOW_COMMANDS=1 are both on.
 */
export function CommandsSwitch({
  allowCommands,
  commandsAvailable,
}: {
  allowCommands: boolean;
  commandsAvailable: boolean;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [on, setOn] = useState(allowCommands);
  const [error, setError] = useState<string | null>(null);
  const [state, save] = useMutation(SetNamespaceSettingsDocument);
  const ids = useId();

  const toggle = async (next: boolean) => {
    setError(null);
    setOn(next); // shown at once; put back if the server refuses
    const r = await save({ allowCommands: next });
    if (r.error || !r.data) {
      setOn(!next);
      setError(r.error ? errorMessage(r.error) : "The setting was not saved.");
      return;
    }
    setOn(r.data.setNamespaceSettings.allowCommands);
    startRefresh(() => router.refresh());
  };

  return (
    <div>
      <div className="flex items-start gap-3">
        <input
          id={`${ids}-commands`}
          type="checkbox"
          role="switch"
          aria-checked={on}
          checked={on}
          disabled={state.fetching || refreshing}
          onChange={(e) => void toggle(e.target.checked)}
          aria-describedby={`${ids}-commands-help`}
          className="mt-0.5 h-4 w-4 rounded border-slate-300 accent-sky-600"
        />
        <div>
          <label htmlFor={`${ids}-commands`} className="text-sm font-medium">
            Allow command nodes
          </label>
          <p id={`${ids}-commands-help`} className="text-sm text-slate-500 dark:text-slate-400">
            Command nodes run programs on the server as the server&apos;s user: they can read its files and reach its
            network. Turn this on only if every operator of this namespace may do that.
            {commandsAvailable ? null : (
              <>
                {" "}
                <strong className="font-medium text-amber-700 dark:text-amber-400">
                  This server does not allow commands at all
                </strong>{" "}
                (start it with <code className="font-mono text-xs">SIGNALBOX_ALLOW_COMMANDS=1</code>).
              </>
            )}
          </p>
        </div>
      </div>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-rose-700 dark:text-rose-300">
          {error}
        </p>
      ) : null}
    </div>
  );
}
