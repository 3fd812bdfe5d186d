// `npm pack` / `npm publish` (the `prepack` script): refuses a package without a native addon
// or without the WebAssembly build. Without this a fresh checkout packs a tarball that fails
// only once installed (no addon) or, worse, installs and breaks only on edge runtimes (no wasm).
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The package folder: this script's parent, or the folder given (for its test).
const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const missing = []

// A local build leaves the addon next to index.js; a release moves each addon into its
// platform package (`napi artifacts`), which `napi prepublish` then lists as optional.
const localAddon = readdirSync(root).some((name) => name.endsWith('.node'))
const platformPackages = Object.keys(manifest.optionalDependencies ?? {}).length > 0
if (!localAddon && !platformPackages) missing.push('the native addon: run `npm install` then `npm run build`')

const wasm = ['wasm/pkg/qstash_verify_bg.wasm', 'wasm/pkg/qstash_verify.js', 'wasm/pkg/core.mjs']
if (!wasm.every((file) => existsSync(join(root, file)))) missing.push('the WebAssembly build: run `npm run build:wasm`')

if (missing.length > 0) {
  console.error(`qstash-verify: refusing to pack an incomplete package; missing ${missing.join('; and ')}`)
  process.exit(1)
}
