/** `npm run schema:print`: write docs/pipeline.schema.json from the zod spec schemas. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { PIPELINE_SCHEMA_FILE, printedPipelineJsonSchema } from "../lib/spec/json-schema";

writeFileSync(path.resolve(import.meta.dirname, "..", PIPELINE_SCHEMA_FILE), printedPipelineJsonSchema());
console.log(`wrote ${PIPELINE_SCHEMA_FILE}`);
