"use client";

import { useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { CreateWebhookDocument } from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";
import { btn, input, label } from "../ui/styles";
import { type CreatedWebhook, EVENTS, type WebhookEvent } from "./documents";
import { NewWebhookSecret } from "./NewWebhookSecret";

type FieldErrors = { url?: string; events?: string; form?: string };

/** The API's BAD_INPUT names the input field it is about (`extensions.field`): show it there. */
function fieldErrors(error: {
  message: string;
  graphQLErrors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}): FieldErrors {
  const first = error.graphQLErrors?.[0];
  const field = first?.extensions?.field;
  if (field === "url" || field === "events") return { [field]: first?.message };
  return { form: errorMessage(error) };
}

/**
 * Register a webhook (GraphQL `createWebhook`): a URL and the events to send, then its
 * signing secret, once. `onCreated` re-reads the list; the secret stays in this component.
 */
export function CreateWebhookForm({ onCreated }: { onCreated: () => void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["GATE_WAITING", "RUN_FAILED"]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [state, create] = useMutation(CreateWebhookDocument);
  const ids = useId();
  const urlField = useRef<HTMLInputElement>(null);

  if (created)
    return <NewWebhookSecret url={created.webhook.url} secret={created.secret} onDone={() => setCreated(null)} />;

  const toggle = (e: WebhookEvent, on: boolean) =>
    setEvents((prev) => (on ? [...prev, e] : prev.filter((x) => x !== e)));

  const submit = async () => {
    if (events.length === 0) {
      setErrors({ events: "Choose at least one event." });
      return;
    }
    setErrors({});
    const r = await create({ input: { url: url.trim(), events } });
    if (r.error || !r.data) {
      const found = r.error ? fieldErrors(r.error) : { form: "The webhook was not created." };
      setErrors(found);
      if (found.url) urlField.current?.focus();
      return;
    }
    setCreated(r.data.createWebhook);
    setUrl("");
    onCreated();
  };

  return (
    <form
      aria-label="New webhook"
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (url.trim()) void submit();
        else {
          setErrors({ url: "Enter the URL deliveries are POSTed to." });
          urlField.current?.focus();
        }
      }}
    >
      <div>
        <label htmlFor={`${ids}-url`} className={label}>
          Payload URL
        </label>
        <input
          ref={urlField}
          id={`${ids}-url`}
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://example.com/hooks/signalbox"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-invalid={errors.url ? true : undefined}
          aria-describedby={`${ids}-url-help${errors.url ? ` ${ids}-url-error` : ""}`}
          className={`${input} scroll-mt-28 font-mono ${errors.url ? "border-rose-500 dark:border-rose-500" : ""}`}
        />
        {errors.url ? (
          <p id={`${ids}-url-error`} role="alert" className="mt-1 text-sm text-rose-700 dark:text-rose-300">
            {errors.url}
          </p>
        ) : null}
        <p id={`${ids}-url-help`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          Must be https:// and reach a public address (private, loopback and metadata addresses only when the server
          allows them in SIGNALBOX_HTTP_ALLOWED_HOSTS).
        </p>
      </div>

      <fieldset aria-describedby={errors.events ? `${ids}-events-error` : undefined}>
        <legend className={label}>Send these events</legend>
        <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {EVENTS.map((e) => {
            const id = `${ids}-event-${e.value}`;
            return (
              <div
                key={e.value}
                className="flex items-start gap-2 rounded-md border border-slate-200 px-3 py-2 has-[:checked]:border-sky-500 has-[:checked]:bg-sky-50/60 dark:border-slate-700 dark:has-[:checked]:border-sky-500 dark:has-[:checked]:bg-sky-950/30"
              >
                <input
                  id={id}
                  type="checkbox"
                  checked={events.includes(e.value)}
                  onChange={(ev) => toggle(e.value, ev.target.checked)}
                  aria-describedby={`${id}-when`}
                  className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
                />
                <div className="min-w-0">
                  <label htmlFor={id} className="block text-sm font-medium">
                    {e.label}
                  </label>
                  <span id={`${id}-when`} className="block text-xs text-slate-600 dark:text-slate-400">
                    When {e.when}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
        {errors.events ? (
          <p id={`${ids}-events-error`} role="alert" className="mt-1 text-sm text-rose-700 dark:text-rose-300">
            {errors.events}
          </p>
        ) : null}
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={state.fetching} className={btn.primary}>
          {state.fetching ? "Checking the URL…" : "Create webhook"}
        </button>
        {errors.form ? (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {errors.form}
          </p>
        ) : null}
      </div>
    </form>
  );
}
