"use client";

import { useState } from "react";
import { useQuery } from "urql";
import { InboxCountDocument } from "@/app/graphql/generated";
import { useLive } from "../live/LiveProvider";
import { seedQuery } from "../live/urql-client";
import { useRefetchOnRunsChanged } from "../live/use-refetch-on-runs-changed";

type GateRef = { id: string; runId: string };
const VARS = {};

/** Live count of gates waiting for a human, next to "Inbox". */
export function InboxBadge({ initial }: { initial: GateRef[] }) {
  const live = useLive();
  useState(() =>
    seedQuery(live, InboxCountDocument, VARS, { gates: initial.map((g) => ({ __typename: "Node", ...g })) }),
  );
  const [result, refetch] = useQuery({ query: InboxCountDocument, variables: VARS });
  useRefetchOnRunsChanged(() => refetch({ requestPolicy: "network-only" }));
  const count = (result.data?.gates ?? initial).length;
  if (count === 0) return null;
  return (
    <span
      data-testid="inbox-count"
      className="inline-flex min-w-5 items-center justify-center rounded-full bg-violet-600 px-1.5 text-[11px] font-semibold leading-5 text-white tabular-nums"
    >
      {count}
      <span className="sr-only"> waiting</span>
    </span>
  );
}
