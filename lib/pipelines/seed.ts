import fs from "node:fs";
import path from "node:path";
import type { Db } from "../db/client";
import { log } from "../log";
import { commandsAllowed, setNamespaceSettings } from "../namespaces/settings";
import { parseAndValidateSpec } from "../spec/validate";
import { createPipelineVersion } from "./pipelines";

const PORT_PLACEHOLDER = "$" + "{PORT}";
const EXAMPLES_DIR = path.resolve(import.meta.dirname, "../../examples");

/**
 * Register `examples/*.yaml|json` as pipelines. `${PORT}` in a file is replaced by the
 * server's port (the demo http node calls an endpoint this app serves). An example is
 * registered only when no pipeline of that name exists yet in the namespace.
 */
export async function seedExamples(db: Db, namespace: string, port: number, allowCommands: boolean): Promise<string[]> {
  if (!fs.existsSync(EXAMPLES_DIR)) return [];
  // First start (no pipelines yet) of a server started with SIGNALBOX_ALLOW_COMMANDS=1: turn
  // the namespace's switch on so the command example runs out of the box. Later starts leave
  // the admin's choice alone (an upgraded install keeps commands off until an admin allows them).
  if (allowCommands && (await db.pipeline.count({ where: { namespace } })) === 0)
    await setNamespaceSettings(db, namespace, { allowCommands: true });
  const commands = await commandsAllowed(db, allowCommands, namespace);
  const names: string[] = [];
  for (const file of fs.readdirSync(EXAMPLES_DIR).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8").replaceAll(PORT_PLACEHOLDER, String(port));
    const checked = parseAndValidateSpec(text, { allowCommands: commands });
    if (!checked.ok) {
      if (!checked.problems.some((p) => p.message.includes("SIGNALBOX_ALLOW_COMMANDS"))) {
        log.warn({ file, problems: checked.problems }, "example pipeline is invalid");
      }
      continue;
    }
    // Registered once: a later start (possibly on another PORT, which is part of the demo
    // URL) must not add versions behind the operator's back.
    const existing = await db.pipeline.count({ where: { namespace, name: checked.spec.name } });
    if (existing === 0) await createPipelineVersion(db, { namespace, name: checked.spec.name, spec: checked.spec });
    names.push(checked.spec.name);
  }
  return names;
}
