"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useQuery } from "urql";
import { InboxDocument } from "@/app/graphql/generated";
import { useLive } from "../live/LiveProvider";
import { seedQuery } from "../live/urql-client";
import { useRefetchOnRunsChanged } from "../live/use-refetch-on-runs-changed";
import { EmptyState } from "../ui/EmptyState";
import { btn } from "../ui/styles";
import type { InboxGate } from "./documents";
import { GateCard } from "./GateCard";

const VARS = {};

/**
 * Waiting gates across runs, live: starts from the server's read, refetches when runs
 * change (a gate started or stopped waiting), and drops decided gates at once (cache updater).
 */
export function InboxList({ initial }: { initial: InboxGate[] }) {
  const live = useLive();
  useState(() => seedQuery(live, InboxDocument, VARS, { gates: initial }));
  const [result, refetch] = useQuery({ query: InboxDocument, variables: VARS });
  useRefetchOnRunsChanged(() => refetch({ requestPolicy: "network-only" }));
  const [notice, setNotice] = useState<string | null>(null);
  const gates = result.data?.gates ?? initial;
  const arrived = useArrivals(gates);

  return (
    <div className="space-y-4">
      <p aria-live="polite" className="min-h-0 text-sm text-emerald-700 empty:hidden dark:text-emerald-400">
        {notice}
      </p>
      <p role="status" className="sr-only" data-testid="inbox-announcer">
        {arrived}
      </p>
      {gates.length === 0 ? (
        <EmptyState
          title="Nothing is waiting for you"
          action={
            <Link href="/" className={btn.secondary}>
              See runs
            </Link>
          }
        >
          Gates that need a decision appear here as soon as a run reaches them.
        </EmptyState>
      ) : (
        gates.map((g) => <GateCard key={g.id} gate={g} onDecided={setNotice} />)
      )}
    </div>
  );
}

/** "New gate: …" for gates that appear after the first render (a live region reads it out). */
function useArrivals(gates: InboxGate[]): string {
  const seen = useRef<Set<string> | null>(null);
  const [message, setMessage] = useState("");
  useEffect(() => {
    const first = seen.current === null;
    seen.current ??= new Set();
    const fresh = gates.filter((g) => !seen.current?.has(g.id));
    for (const g of gates) seen.current.add(g.id);
    if (first || fresh.length === 0) return;
    const name = (g: InboxGate) => `“${g.gate?.title ?? g.key}” in ${g.run?.label || g.run?.pipeline || "a run"}`;
    setMessage(fresh.length === 1 ? `New gate waiting: ${name(fresh[0])}.` : `${fresh.length} new gates waiting.`);
  }, [gates]);
  return message;
}
