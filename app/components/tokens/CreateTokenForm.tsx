"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { useMutation } from "urql";
import { CreateTokenDocument } from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";
import { btn, input, label } from "../ui/styles";
import { type CreatedToken, ROLES, type Role } from "./documents";
import { NewTokenSecret } from "./NewTokenSecret";

/**
 * Create a token (GraphQL `createToken`), then show its secret once. The list above is the
 * server's: it is re-read (router refresh) while the secret stays in this component.
 */
export function CreateTokenForm({ namespace }: { namespace: string }) {
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("VIEWER");
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [state, create] = useMutation(CreateTokenDocument);
  const ids = useId();

  if (created) return <NewTokenSecret created={created} onDone={() => setCreated(null)} />;

  const submit = async () => {
    setError(null);
    const r = await create({ input: { name: name.trim(), role, namespace } });
    if (r.error || !r.data) {
      setError(r.error ? errorMessage(r.error) : "The token was not created.");
      return;
    }
    setCreated(r.data.createToken);
    setName("");
    startRefresh(() => router.refresh());
  };

  return (
    <form
      aria-label="New token"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) void submit();
      }}
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="min-w-0 flex-1">
          <label htmlFor={`${ids}-name`} className={label}>
            Name <span className="font-normal text-slate-500 dark:text-slate-400">(who or what will use it)</span>
          </label>
          <input
            id={`${ids}-name`}
            required
            maxLength={100}
            autoComplete="off"
            placeholder="e.g. ci-bot or alice"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${ids}-error` : undefined}
            className={input}
          />
        </div>
        <div className="sm:w-40">
          <label htmlFor={`${ids}-role`} className={label}>
            Role
          </label>
          <select
            id={`${ids}-role`}
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            aria-describedby={`${ids}-role-help`}
            className={input}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={state.fetching || !name.trim()} className={`${btn.primary} sm:mb-px`}>
          {state.fetching ? "Creating…" : "Create token"}
        </button>
      </div>
      <p id={`${ids}-role-help`} className="text-xs text-slate-500 dark:text-slate-400">
        {ROLES.find((r) => r.value === role)?.can}
      </p>
      {error && (
        <p id={`${ids}-error`} role="alert" className="text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </form>
  );
}
