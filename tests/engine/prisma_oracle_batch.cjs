// Prisma's verdict on many schemas in one node process (the prisma-oracle's `dmmf` starts one per
// schema, ~0.5 s each): reads JSON lines {"id", "files": [[name, text], ...]} on stdin and writes
// one JSON line per schema: {"id", "ok": true, "tables": {table: [columns]}} when Prisma's schema
// parser accepts it, {"id", "ok": false, "message"} when it refuses it (P1012).
// Uses the schema WebAssembly build that prisma-oracle installed in its home (argv[2]), and the
// oracle's own withoutUrls, so that the verdict is the oracle's.
const path = require("path");
const readline = require("readline");
const home = process.argv[2];
const wasm = require(path.join(home, "node_modules", "@prisma", "prisma-schema-wasm"));
const { withoutUrls } = require(path.join(home, "prisma7.cjs"));

function tablesOf(datamodel) {
  const tables = {};
  for (const model of datamodel.models) {
    const columns = model.fields
      .filter((f) => f.kind === "scalar" || f.kind === "enum")
      .map((f) => f.dbName || f.name);
    tables[model.dbName || model.name] = columns;
  }
  return tables;
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const { id, files } = JSON.parse(line);
  const prismaSchema = files.map(([name, text]) => [name, withoutUrls(text)]);
  let answer;
  try {
    const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema, noColor: true })));
    answer = { id, ok: true, tables: tablesOf(dmmf.datamodel) };
  } catch (error) {
    let message = String(error && error.message ? error.message : error);
    try { message = JSON.parse(message).message; } catch (_) { /* not Prisma's JSON */ }
    answer = { id, ok: false, message };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
