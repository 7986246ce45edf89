// node dmmf_batch.cjs ORACLE_HOME < paths.json: Prisma's own parse (the DMMF datamodel) of many
// schemas in one process, with the very module and URL blanking prisma-oracle's `dmmf` uses
// (its installation under ORACLE_HOME). One node start instead of one per schema: a schema's
// history has hundreds of versions. Prints a JSON list: {"datamodel": ...} or {"error": "..."}.
const fs = require("fs");
const path = require("path");
const home = process.argv[2];
const wasm = require(path.join(home, "node_modules", "@prisma", "prisma-schema-wasm"));
const { withoutUrls } = require(path.join(home, "prisma7.cjs"));
const paths = JSON.parse(fs.readFileSync(0, "utf8"));
const out = paths.map((file) => {
  try {
    const prismaSchema = [[file, withoutUrls(fs.readFileSync(file, "utf8"))]];
    return { datamodel: JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema, noColor: true }))).datamodel };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error).slice(0, 2000) };
  }
});
process.stdout.write(JSON.stringify(out));
