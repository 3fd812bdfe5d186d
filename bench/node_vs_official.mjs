// Verifications per second of qstash-verify (the native addon's verifySync and verify, and
// the WebAssembly build's verify, which edge runtimes use) and of the official
// @upstash/qstash Receiver, in one run, on the same tokens, for bodies of 0 B, 1 KiB,
// 64 KiB and 1 MiB.
//
//     (cd bindings-node && npm install && npm run build && npm run build:wasm)   # release builds
//     node --expose-gc bench/node_vs_official.mjs [seconds per measurement, default 1] [size, e.g. "1 KiB"]
//
// Bodies are ASCII strings (the official receiver takes strings). Each figure is the best of
// five rounds, alternating the four so drift of the machine hits all alike; every timed run
// follows an untimed warm-up of the same call.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../bindings-node/package.json', import.meta.url))
const { Receiver, Signer } = require('./lib/qstash.js')
const { Receiver: OfficialReceiver } = require('@upstash/qstash')
const { Receiver: WasmReceiver } = await import('../bindings-node/wasm/inline.mjs')

const KEYS = { currentSigningKey: 'sig_benchCurrentSigningKey0001', nextSigningKey: 'sig_benchNextSigningKey00000002' }
const URL_ = 'https://bench.example.com/api/qstash'
const SIZES = [['0 B', 0], ['1 KiB', 1024], ['64 KiB', 64 * 1024], ['1 MiB', 1024 * 1024]]
const seconds = Number(process.argv[2] ?? 1)
const only = process.argv[3]

async function rate(fn, budget) {
  let n = 0
  let batch = 1
  const start = process.hrtime.bigint()
  for (;;) {
    for (let i = 0; i < batch; i++) await fn()
    n += batch
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9
    if (elapsed >= budget) return n / elapsed
    batch = Math.min(batch * 2, 4096)
  }
}

function rateSync(fn, budget) {
  let n = 0
  let batch = 1
  const start = process.hrtime.bigint()
  for (;;) {
    for (let i = 0; i < batch; i++) fn()
    n += batch
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9
    if (elapsed >= budget) return n / elapsed
    batch = Math.min(batch * 2, 4096)
  }
}

const ours = new Receiver(KEYS)
const official = new OfficialReceiver(KEYS)
const wasm = new WasmReceiver(KEYS)
const signer = new Signer(KEYS.currentSigningKey)
const fmt = (x) => Math.round(x).toLocaleString('en-US')
console.log(`qstash-verify vs @upstash/qstash Receiver (${seconds} s per round, best of 5)`)
console.log(
  `${'body'.padStart(8)} ${'verifySync /s'.padStart(14)} ${'verify /s'.padStart(12)} ${'wasm /s'.padStart(12)} ${'official /s'.padStart(12)} ${'sync x'.padStart(8)} ${'async x'.padStart(8)} ${'wasm x'.padStart(8)}`,
)
for (const [name, size] of SIZES) {
  if (only && name !== only) continue
  const body = 'a'.repeat(size)
  const signature = signer.sign(URL_, body, { lifetime: 3600 })
  const request = { signature, body, url: URL_ }
  ours.verifySync(request)
  wasm.verifySync(request)
  if ((await official.verify(request)) !== true) throw new Error('official receiver refused the token')
  let sync = 0
  let async = 0
  let theirs = 0
  let edge = 0
  const budget = size >= 1024 * 1024 ? seconds * 2 : seconds
  // Each measurement starts with a short untimed run of the same call, so garbage the
  // previous one left (the official receiver makes a lot) is collected before timing.
  const warm = budget / 5
  // With `node --expose-gc`, each timed run also starts from a collected heap.
  const collect = () => globalThis.gc?.()
  for (let round = 0; round < 5; round++) {
    collect()
    rateSync(() => ours.verifySync(request), warm)
    sync = Math.max(sync, rateSync(() => ours.verifySync(request), budget))
    collect()
    await rate(() => ours.verify(request), warm)
    async = Math.max(async, await rate(() => ours.verify(request), budget))
    collect()
    await rate(() => wasm.verify(request), warm)
    edge = Math.max(edge, await rate(() => wasm.verify(request), budget))
    collect()
    await rate(() => official.verify(request), warm)
    theirs = Math.max(theirs, await rate(() => official.verify(request), budget))
  }
  console.log(
    `${name.padStart(8)} ${fmt(sync).padStart(14)} ${fmt(async).padStart(12)} ${fmt(edge).padStart(12)} ${fmt(theirs).padStart(12)} ${(sync / theirs).toFixed(1).padStart(7)}x ${(async / theirs).toFixed(1).padStart(7)}x ${(edge / theirs).toFixed(1).padStart(7)}x`,
  )
}
