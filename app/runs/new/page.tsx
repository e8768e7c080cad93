import type { Metadata } from "next";
import YAML from "yaml";
import { listPipelines } from "@/lib/pipelines/pipelines";
import { RunPipelineForm } from "../../components/submit/RunPipelineForm";
import { SpecRunForm } from "../../components/submit/SpecRunForm";
import { PageBody, PageHeader } from "../../components/ui/PageHeader";
import { card } from "../../components/ui/styles";
import { Tabs } from "../../components/ui/Tabs";
import { groupPipelines } from "../../lib/pipelines.server";
import { requireViewer, runtime } from "../../lib/runtime.server";

export const metadata: Metadata = { title: "New run" };

/** `/runs/new` — run a pasted / uploaded spec, or a registered pipeline version. */
export default async function NewRunPage({
  searchParams,
}: {
  searchParams: Promise<{ pipeline?: string; edit?: string; version?: string }>;
}) {
  const viewer = await requireViewer("/runs/new");
  const { pipeline, edit, version } = await searchParams;
  const groups = groupPipelines(await listPipelines(runtime().db, viewer.namespace));
  const choices = groups.map((g) => ({ name: g.name, versions: g.versions.map((v) => v.version) }));
  if (pipeline) {
    const i = choices.findIndex((c) => c.name === pipeline);
    if (i > 0) choices.unshift(...choices.splice(i, 1));
  }
  const templates = groups.map((g) => ({ name: g.name, text: YAML.stringify(g.versions[0].spec, { lineWidth: 0 }) }));
  // `?edit=<pipeline>&version=<n>` (from a pipeline page): that version's spec, ready to change and run.
  const edited = groups.find((g) => g.name === edit);
  const editedSpec = (edited?.versions.find((v) => v.version === Number(version)) ?? edited?.versions[0])?.spec;
  const initialText = editedSpec ? YAML.stringify(editedSpec, { lineWidth: 0 }) : "";

  return (
    <PageBody>
      <PageHeader
        title="New run"
        description="Paste or upload a pipeline spec, or start a registered pipeline. Validation problems show inline."
      />
      <div className={`${card} p-4 sm:p-6`}>
        <Tabs
          label="How to start the run"
          initial={pipeline ? "pipeline" : "spec"}
          tabs={[
            { id: "spec", label: "Spec", panel: <SpecRunForm templates={templates} initialText={initialText} /> },
            {
              id: "pipeline",
              label: "Registered pipeline",
              panel:
                choices.length > 0 ? (
                  <RunPipelineForm choices={choices} idPrefix="pipeline" />
                ) : (
                  <p className="text-sm text-slate-500 dark:text-slate-400">
                    No pipelines are registered in this namespace yet.
                  </p>
                ),
            },
          ]}
        />
      </div>
    </PageBody>
  );
}
