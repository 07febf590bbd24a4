// Validate OOXML packages against the Open XML SDK's schema rules, in one process (the
// validator takes 15-40 s to start). Usage: node validate.mjs FILE... ; prints one JSON
// object: {file: [{description, path: {xpath, partUri}, id, errorType}, ...], ...}.
import validate from "@ooxml-tools/validate";
import { readFileSync } from "node:fs";

const results = {};
for (const path of process.argv.slice(2)) {
  const format = path.endsWith(".xlsx") ? "xlsx" : "docx";
  results[path] = await validate(new Uint8Array(readFileSync(path)), format, "Microsoft365");
}
process.stdout.write(JSON.stringify(results) + "\n");
