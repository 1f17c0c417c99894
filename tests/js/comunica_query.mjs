// Run one SPARQL SELECT with the Comunica client against an endpoint URL, printing the rows as
// JSON (variable -> term value). The source is given as a bare URL, so Comunica introspects it
// (the Service Description) to learn that it is a SPARQL endpoint.
// Usage: node comunica_query.mjs ENDPOINT_URL QUERY_FILE
import { readFileSync } from "node:fs";
import { QueryEngine } from "@comunica/query-sparql";

const [endpoint, file] = process.argv.slice(2);
const query = readFileSync(file, "utf8");
const engine = new QueryEngine();
const stream = await engine.queryBindings(query, { sources: [endpoint], lenient: false });
const rows = (await stream.toArray()).map((b) =>
  Object.fromEntries([...b].map(([variable, term]) => [variable.value, term.value])));
process.stdout.write(JSON.stringify(rows));
