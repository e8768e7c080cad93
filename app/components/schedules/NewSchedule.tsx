"use client";

import { useRouter } from "next/navigation";
import { card } from "../ui/styles";
import { type PipelineChoice, ScheduleForm } from "./ScheduleForm";

/** The create form, open while the URL says `?new` (the header's "New schedule" link). */
export function NewSchedule({ pipelines }: { pipelines: PipelineChoice[] }) {
  const router = useRouter();
  return (
    <section aria-labelledby="new-schedule-heading" className={`${card} mb-6 p-4 sm:p-5`}>
      <h2 id="new-schedule-heading" className="mb-3 text-base font-semibold">
        New schedule
      </h2>
      <ScheduleForm pipelines={pipelines} onDone={() => router.replace("/schedules", { scroll: false })} />
    </section>
  );
}
