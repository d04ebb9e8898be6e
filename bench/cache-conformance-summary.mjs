// Reads the JSON results of the http-cache-tests suite (https://cache-tests.fyi/) run against a
// shared cache, and prints what they mean: required checks passed / failed, optimal ones, and the
// information-only "check" kind. A result counts as passed as the suite's own report counts it: the
// test passed and so did every test it depends on. Exits 1 when a required check did not pass and is
// not listed in the exceptions file (one test id at the start of a line; '#' starts a comment).
//
// Usage: node bench/cache-conformance-summary.mjs SUITE_DIR RESULTS.json [EXCEPTIONS_FILE]
import fs from 'fs'
import path from 'path'
import { pathToFileURL } from 'url'

const [suiteDir, resultsFile, exceptionsFile] = process.argv.slice(2)
if (!suiteDir || !resultsFile) {
  console.error('usage: node cache-conformance-summary.mjs SUITE_DIR RESULTS.json [EXCEPTIONS_FILE]')
  process.exit(2)
}
const load = async f => (await import(pathToFileURL(path.join(suiteDir, 'tests', f)).href)).default
// the suites the command-line client runs: the index, and Surrogate-Control for proxies and CDNs
const suites = [...await load('index.mjs'), await load('surrogate-control.mjs')]
const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'))
const exceptions = new Set()
if (exceptionsFile) {
  for (const line of fs.readFileSync(exceptionsFile, 'utf8').split('\n')) {
    const id = line.replace(/#.*/, '').trim().split(/\s+/)[0]
    if (id) exceptions.add(id)
  }
}

const byId = new Map()
for (const suite of suites) for (const test of suite.tests) byId.set(test.id, test)

// 'pass', 'fail', 'setup' (the test could not establish what it needed), 'dependency' (a test it
// builds on did not pass), 'untested'
function outcome (id, seen = new Set()) {
  const test = byId.get(id)
  const r = results[id]
  if (r === undefined) return 'untested'
  for (const dep of test.depends_on || []) {
    if (seen.has(dep)) continue
    if (outcome(dep, new Set([...seen, id])) !== 'pass') return 'dependency'
  }
  if (r === true) return 'pass'
  if (Array.isArray(r) && r[0] === 'Setup') return 'setup'
  return 'fail'
}

const kinds = { required: [], optimal: [], check: [] }
for (const suite of suites) {
  for (const test of suite.tests) {
    if (test.browser_only) continue // a private (browser) cache's test
    kinds[test.kind || 'required'].push(test)
  }
}

function line (test) {
  const r = results[test.id]
  const why = Array.isArray(r) ? ` (${r[1]})` : ''
  return `    ${test.id}${exceptions.has(test.id) ? ' [known exception]' : ''}${why}\n        ${test.name}`
}

let unexpected = 0
for (const kind of ['required', 'optimal', 'check']) {
  const tests = kinds[kind]
  const by = { pass: [], fail: [], setup: [], dependency: [], untested: [] }
  for (const t of tests) by[outcome(t.id)].push(t)
  const [yes, no] = kind === 'check' ? ['"yes"', '"no"'] : ['passed', 'failed']
  console.log(`${kind === 'check' ? 'checks (information only)' : kind}: ${by.pass.length} / ${tests.length} ${yes}, ` +
    `${by.fail.length} ${no}, ${by.setup.length} setup failures, ` +
    `${by.dependency.length} not decided (a test they depend on did not pass)` +
    (by.untested.length ? `, ${by.untested.length} not run` : ''))
  if (kind !== 'required') continue
  for (const [what, list] of [['failed', by.fail], ['setup failures', by.setup],
    ['not decided', by.dependency], ['not run', by.untested]]) {
    if (!list.length) continue
    console.log(`  ${what}:`)
    for (const t of list) {
      console.log(line(t))
      if (!exceptions.has(t.id)) unexpected++
    }
  }
}
if (kinds.optimal.length) {
  const missed = kinds.optimal.filter(t => outcome(t.id) !== 'pass')
  if (missed.length) console.log(`  optimal not passed: ${missed.map(t => t.id).join(' ')}`)
}
if (unexpected) {
  console.log(`${unexpected} required check(s) did not pass and are not known exceptions`)
  process.exit(1)
}
console.log('every required check passed or is a known exception')
