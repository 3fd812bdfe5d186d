// `qstash-kit dev` as a package installed it (argv: the command that runs qstash-kit, run in
// the current folder), serving the official @upstash/qstash client: it starts on a free port
// with the official dev server's flag form, prints its environment, takes a publish of the
// official `Client` and delivers it signed to an endpoint whose official `Receiver` verifies
// it with the keys it printed; then Ctrl-C (SIGINT to its process group) stops it.
// usage: node serve-official-client.mjs <repository root> <command> [args…]
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const [root, command, ...prefix] = process.argv.slice(2)
// The official client from bindings-node's lockfile, the version the repository tests with.
const { Client, Receiver } = createRequire(join(root, 'bindings-node', 'package.json'))('@upstash/qstash')

const dev = spawn(command, [...prefix, '--json', 'dev', '-port=0', '--fast-retries'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
})
const exited = new Promise((resolve) => dev.on('exit', (code, signal) => resolve({ code, signal })))
const timer = setTimeout(() => {
  process.kill(-dev.pid, 'SIGKILL')
  console.error(`${command}: no delivery within 60 s`)
  process.exit(1)
}, 60_000)

const env = JSON.parse(await new Promise((resolve) => createInterface({ input: dev.stdout }).once('line', resolve)))
const receiver = new Receiver({
  currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
})
let delivered
const arrived = new Promise((resolve) => (delivered = resolve))
const endpoint = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', async () => {
    const url = `http://127.0.0.1:${endpoint.address().port}${req.url}`
    const valid = await receiver.verify({ signature: req.headers['upstash-signature'], body, url })
    res.end('ok')
    delivered({ valid, body })
  })
})
await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve))

const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false })
const { messageId } = await client.publishJSON({
  url: `http://127.0.0.1:${endpoint.address().port}/hook`,
  body: { through: command },
})
assert.match(messageId, /^msg_/)
assert.deepEqual(await arrived, { valid: true, body: JSON.stringify({ through: command }) })

process.kill(-dev.pid, 'SIGINT')
const end = await exited
clearTimeout(timer)
endpoint.close()
console.log(`${[command, ...prefix].join(' ')} dev: served the official client on ${env.QSTASH_URL}, stopped by SIGINT (${JSON.stringify(end)})`)
