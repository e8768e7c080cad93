import type { InboxQuery } from "@/app/graphql/generated";

/** A waiting gate with its run, as the `Inbox` query selects it. */
export type InboxGate = InboxQuery["gates"][number];
