/** `npm run graphql:print`: write graphql/schema.graphql and the generated resolver and client types. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  CLIENT_TYPES_FILE,
  clientTypes,
  printedSchema,
  RESOLVER_TYPES_FILE,
  resolverTypes,
  SCHEMA_FILE,
  SDK_TYPES_FILE,
  sdkTypes,
} from "./codegen";

const root = path.resolve(import.meta.dirname, "..");
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
  console.log(`wrote ${file}`);
};

write(SCHEMA_FILE, printedSchema());
write(RESOLVER_TYPES_FILE, await resolverTypes());
write(CLIENT_TYPES_FILE, await clientTypes(root));
write(SDK_TYPES_FILE, await sdkTypes(root));
