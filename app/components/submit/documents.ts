/** What the new-run form submits (`SubmitRunInput`, app/graphql/runs.graphql). */
export type { SubmitRunInput } from "@/app/graphql/types";
