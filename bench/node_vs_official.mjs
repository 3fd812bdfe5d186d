// qstash-verify under Node against the official @upstash/qstash Receiver and against
// qstash-core itself, in one run, on the same tokens:
//
// 1. what a `verifySync` call costs over `Receiver::verify` of qstash-core (the crossing:
//    the JS wrapper, the encoding of the strings, N-API), called both ways users call it:
//    without options, and as the official API is used, with a per-call `clockTolerance`;
// 2. verifications per second of `verifySync`, of the async `verify` (one call in flight, as
//    drop-in code awaits it), of the WebAssembly build (edge runtimes) and of the official
//    receiver, for bodies of 0 B, 1 KiB, 64 KiB and 1 MiB.
//
//     (cd bindings-node && npm install && npm run build && npm run build:wasm)   # release builds
//     node bench/node_vs_official.mjs [seconds per round, default 0.5] [--unpinned]
//
// The run is pinned to one CPU (`taskset`), as a fair harness is: unpinned, the official
// receiver's hashing hops to libuv's thread pool and its figures depend on what the other
// cores do. `--unpinned` shows that case. The core's cost comes from
// `core/examples/verify_cost.rs` (built here if needed), run on the same CPU between our
// rounds. Every figure is the median of alternating rounds with the lowest and highest in
// brackets; each timed round follows an untimed warm-up of the same call.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const unpinned = args.includes('--unpinned')
const seconds = Number(args.find((a) => !a.startsWith('--')) ?? 0.5)
if (!(seconds > 0)) throw new Error(`seconds per round must be a positive number, not ${seconds}`)

// Pinning happens by running this script again under `taskset`; the child knows by the
// variable, and the core's runs inherit its CPU.
const PINNED = 'QSTASH_BENCH_CPU'
if (!unpinned && process.env[PINNED] === undefined) {
  const cpu = String(availableParallelism() - 1)
  const run = spawnSync('taskset', ['-c', cpu, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, [PINNED]: cpu },
  })
  if (run.error) throw new Error(`taskset (util-linux) is needed to pin the run; or pass --unpinned: ${run.error.message}`)
  process.exit(run.status ?? 1)
}

const require = createRequire(join(ROOT, 'bindings-node', 'package.json'))
const { Receiver, Signer } = require('./lib/qstash.js')
const { Receiver: OfficialReceiver } = require('@upstash/qstash')
const { Receiver: WasmReceiver } = await import('../bindings-node/wasm/inline.mjs')

const CURRENT = 'sig_benchCurrentSigningKey0001'
const NEXT = 'sig_benchNextSigningKey00000002'
const URL_ = 'https://app.acme.co/hooks'
const ROUNDS = 7
const TOLERANCE = 5
const SIZES = [['0 B', 0], ['1 KiB', 1024], ['64 KiB', 64 * 1024], ['1 MiB', 1024 * 1024]]

/** Nanoseconds per call of `fn` over about `budget` seconds (batches double up to 4096). */
function nsPerCall(fn, budget) {
  let n = 0
  let batch = 1
  const start = process.hrtime.bigint()
  for (;;) {
    for (let i = 0; i < batch; i++) fn()
    n += batch
    const elapsed = Number(process.hrtime.bigint() - start)
    if (elapsed >= budget * 1e9) return elapsed / n
    batch = Math.min(batch * 2, 4096)
  }
}

/** `nsPerCall` for a function returning a promise, awaited before the next call. */
async function nsPerAwaitedCall(fn, budget) {
  let n = 0
  let batch = 1
  const start = process.hrtime.bigint()
  for (;;) {
    for (let i = 0; i < batch; i++) await fn()
    n += batch
    const elapsed = Number(process.hrtime.bigint() - start)
    if (elapsed >= budget * 1e9) return elapsed / n
    batch = Math.min(batch * 2, 4096)
  }
}

/** One timed round after an untimed warm-up of a fifth of it. */
const timed = (fn, budget) => (nsPerCall(fn, budget / 5), nsPerCall(fn, budget))
const timedAwait = async (fn, budget) => (await nsPerAwaitedCall(fn, budget / 5), nsPerAwaitedCall(fn, budget))

const sorted = (values) => [...values].sort((a, b) => a - b)
const median = (values) => sorted(values)[values.length >> 1]
/** `median [lowest–highest]` of `values`, each shown by `show`. */
const spread = (values, show) => {
  const s = sorted(values)
  return `${show(median(values))} [${show(s[0])}–${show(s[s.length - 1])}]`
}
const micro = (ns) => (ns / 1000).toFixed(2)
const perSecond = (ns) => Math.round(1e9 / ns).toLocaleString('en-US')
const times = (x) => `${x.toFixed(2)}x`

// The core's cost: `verify_cost` run on this CPU, between our rounds.
const target = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target')
const verifyCost = join(target, 'release', 'examples', 'verify_cost')
if (!existsSync(verifyCost)) {
  execFileSync('cargo', ['build', '--release', '-q', '-p', 'qstash-core', '--example', 'verify_cost'], { cwd: ROOT, stdio: 'inherit' })
}
const coreNs = (signature, size, tolerance, budget) =>
  Number(execFileSync(verifyCost, [CURRENT, NEXT, signature, String(size), URL_, tolerance ?? '-', String(budget)]).toString())

const ours = new Receiver({ currentSigningKey: CURRENT, nextSigningKey: NEXT })
const official = new OfficialReceiver({ currentSigningKey: CURRENT, nextSigningKey: NEXT })
const wasm = new WasmReceiver({ currentSigningKey: CURRENT, nextSigningKey: NEXT })
const signer = new Signer(CURRENT)
const tokenFor = (body) => signer.sign(URL_, body, { lifetime: 3600 })

const where = unpinned ? 'unpinned' : `pinned to CPU ${process.env[PINNED]}`
console.log(`qstash-verify ${process.version}, ${where}; ${seconds} s per round, ${ROUNDS} rounds alternating; median [lowest–highest]`)

console.log('\nverifySync over qstash-core (the same token, body and URL; µs per call)')
console.log(`${'call'.padEnd(52)} ${'body'.padStart(6)} ${'qstash-core'.padStart(22)} ${'verifySync'.padStart(22)} ${'over the core'.padStart(22)}`)
for (const [name, size] of SIZES.slice(0, 2)) {
  const body = 'a'.repeat(size)
  const signature = tokenFor(body)
  const ways = [
    ['verifySync({ signature, body, url })', { signature, body, url: URL_ }, undefined],
    [`verifySync({ signature, body, url, clockTolerance: ${TOLERANCE} })`, { signature, body, url: URL_, clockTolerance: TOLERANCE }, String(TOLERANCE)],
  ]
  for (const [call, request, tolerance] of ways) {
    ours.verifySync(request)
    const core = []
    const binding = []
    for (let round = 0; round < ROUNDS; round++) {
      core.push(coreNs(signature, size, tolerance, seconds))
      binding.push(timed(() => ours.verifySync(request), seconds))
    }
    const over = binding.map((ns, i) => ns - core[i])
    console.log(`${call.padEnd(52)} ${name.padStart(6)} ${spread(core, micro).padStart(22)} ${spread(binding, micro).padStart(22)} ${spread(over, micro).padStart(22)}`)
  }
  console.log(`${''.padEnd(52)} token of ${signature.length} characters`)
}

console.log(`\nverifications per second, called as the official API is: { signature, body, url, clockTolerance: ${TOLERANCE} }`)
console.log(
  `${'body'.padStart(6)} ${'verifySync /s'.padStart(14)} ${'verify /s'.padStart(12)} ${'wasm /s'.padStart(12)} ${'official /s'.padStart(12)}` +
    ` ${'verifySync x'.padStart(22)} ${'verify x'.padStart(22)} ${'wasm x'.padStart(22)} ${'verify/verifySync'.padStart(22)}`,
)
for (const [name, size] of SIZES) {
  const body = 'a'.repeat(size)
  const request = { signature: tokenFor(body), body, url: URL_, clockTolerance: TOLERANCE }
  ours.verifySync(request)
  await ours.verify(request)
  await wasm.verify(request)
  if ((await official.verify(request)) !== true) throw new Error('the official receiver refused the token')
  const budget = size >= 1024 * 1024 ? seconds * 2 : seconds
  const sync = []
  const async = []
  const edge = []
  const theirs = []
  for (let round = 0; round < ROUNDS; round++) {
    sync.push(timed(() => ours.verifySync(request), budget))
    async.push(await timedAwait(() => ours.verify(request), budget))
    edge.push(await timedAwait(() => wasm.verify(request), budget))
    theirs.push(await timedAwait(() => official.verify(request), budget))
  }
  // Ratios are per round (both sides measured moments apart), then summarised.
  const ratio = (mine, base) => spread(mine.map((ns, i) => base[i] / ns), times)
  console.log(
    `${name.padStart(6)} ${perSecond(median(sync)).padStart(14)} ${perSecond(median(async)).padStart(12)} ${perSecond(median(edge)).padStart(12)} ${perSecond(median(theirs)).padStart(12)}` +
      ` ${ratio(sync, theirs).padStart(22)} ${ratio(async, theirs).padStart(22)} ${ratio(edge, theirs).padStart(22)} ${ratio(async, sync).padStart(22)}`,
  )
}
