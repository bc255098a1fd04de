// Runs the vendored suite's CLI client (suite/test-engine) against a proxy, all tests or only a subset of
// tests-meta.json, and prints the results JSON (same format as the suite's own CLI).
//
//   node run-suite.mjs BASE_URL [all|get1|strict]
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const [base, subset = 'all'] = process.argv.slice(2)
if (!base) {
  console.error('usage: node run-suite.mjs BASE_URL [all|get1|strict]')
  process.exit(2)
}
const flag = { all: null, get1: 'get_single_url', strict: 'get_single_url_strict' }[subset]
if (flag === undefined) {
  console.error(`unknown subset ${subset}`)
  process.exit(2)
}
const meta = JSON.parse(fs.readFileSync(path.join(here, 'tests-meta.json'), 'utf8')).tests
const wanted = new Set(meta.filter(t => flag === null || t[flag]).map(t => t.id))
const suite = (await import(pathToFileURL(path.join(here, 'suite/tests/index.mjs')).href)).default
const { runTests, getResults } = await import(pathToFileURL(path.join(here, 'suite/test-engine/client/runner.mjs')).href)
const selected = suite.map(group => ({ ...group, tests: group.tests.filter(t => wanted.has(t.id)) })).filter(group => group.tests.length > 0)
await runTests(selected, false, base)
console.log(JSON.stringify(getResults(), null, 2))
