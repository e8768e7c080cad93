"use client";

import Link from "next/link";
import { useState } from "react";
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

  return (
    <div className="space-y-4">
      <p aria-live="polite" className="min-h-0 text-sm text-emerald-700 empty:hidden dark:text-emerald-400">
        {notice}
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
