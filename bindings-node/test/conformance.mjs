// Conformance runner (SPEC.md §8): reads a JSONL file of cases and prints one
// {"id","verdict","reason"} line per case, in input order. `--wasm` runs the cases through
// the WebAssembly build (`qstash-verify/wasm`) instead of the native addon.
//
//     node bindings-node/test/conformance.mjs [--wasm] FILE
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const wasmBuild = process.argv.includes('--wasm')
const { ConfigError, Receiver, SignatureError } = wasmBuild ? await import('../wasm/inline.mjs') : require('../lib/qstash.js')

/** Runs one case through the public API exactly as a user would. */
export function verdict(c) {
  let receiver
  try {
    receiver = new Receiver({ currentSigningKey: c.current_key, nextSigningKey: c.next_key })
  } catch (error) {
    if (error instanceof ConfigError) return { valid: false, reason: error.reason }
    throw error
  }
  try {
    receiver.verifySync({
      signature: c.token,
      body: Buffer.from(c.body_b64, 'base64'),
      url: c.url,
      clockTolerance: c.clock_tolerance_s,
      upstashRegion: c.region ?? null,
      now: c.now,
    })
    return { valid: true, reason: null }
  } catch (error) {
    if (error instanceof SignatureError) return { valid: false, reason: error.reason }
    throw error
  }
}

export function* run(text) {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const c = JSON.parse(line)
    const { valid, reason } = verdict(c)
    yield JSON.stringify({ id: c.id, verdict: valid ? 'valid' : 'invalid', reason })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2).filter((arg) => arg !== '--wasm')
  if (files.length !== 1) {
    console.error('usage: conformance.mjs [--wasm] FILE.jsonl')
    process.exit(2)
  }
  for (const line of run(readFileSync(files[0], 'utf8'))) console.log(line)
}
