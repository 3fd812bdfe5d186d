// Replay protection on the Redis deployments users run, across two worker processes: a server
// that speaks TLS only (a CA and a client certificate generated for the test, a
// password-protected user) and a Redis Cluster of three masters, both from `redis-fixture` (the
// Rust test kit's, shared with the Rust and Python tests).
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { hasRedis, here, qstash } from './support.mjs'

const { RedisReplayGuard, Signer } = qstash
const URL_ = 'https://hooks.example.com/api/qstash'
const BODY = '{"order":42}'
const REPLAYED = '401 {"error":"invalid_signature","reason":"replayed"}'
const root = join(here, '..', '..')

const skip = hasRedis() ? false : 'redis-server is not installed'

/** `redis-fixture MODE`: resolves where its servers are; they stop when its stdin closes. */
function fixture(mode) {
  const child = spawn('cargo', ['run', '-q', '-p', 'qstash-testkit', '--bin', 'redis-fixture', '--', mode], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const ready = new Promise((resolve, reject) => {
    let text = ''
    child.stdout.on('data', (chunk) => {
      text += chunk
      const line = text.split('\n')[0]
      if (text.includes('\n')) resolve(JSON.parse(line))
    })
    child.on('exit', (code) => reject(new Error(`redis-fixture ${mode} ended (${code}) before it was ready`)))
  })
  const stop = () =>
    new Promise((resolve) => {
      child.on('exit', resolve)
      child.stdin.end()
    })
  return { ready, stop }
}

// One delivery through a worker process of its own, with its own guard and connection.
const WORKER = `
const { RedisReplayGuard, Receiver } = require(process.argv[1])
const { verifyRequest } = require(process.argv[2])
const [url, options, token, body] = [JSON.parse(process.argv[3]), JSON.parse(process.argv[4]), process.argv[5], process.argv[6]]
const guard = new RedisReplayGuard(url, options)
const request = new Request('${URL_}', { method: 'POST', body, headers: { 'upstash-signature': token } })
verifyRequest(request, { receiver: Receiver.dev(), replayGuard: guard, logger: null }).then(async (r) => {
  console.log(r.verified ? '200' : r.response.status + ' ' + (await r.response.text()))
  process.exit(0)
})
`

async function deliver(url, options, token) {
  const args = ['-e', WORKER, join(root, 'bindings-node/lib/qstash.js'), join(root, 'bindings-node/lib/fetch.js')]
  const { stdout } = await promisify(execFile)(process.execPath, [...args, JSON.stringify(url), JSON.stringify(options), token, BODY])
  return stdout.trim()
}

async function replayRefusedAcrossTwoProcesses(url, options) {
  const token = Signer.dev().sign(URL_, BODY)
  assert.equal(await deliver(url, options, token), '200')
  assert.equal(await deliver(url, options, token), REPLAYED)
}

let tls
let cluster
before(async () => {
  if (skip) return
  tls = fixture('tls')
  cluster = fixture('cluster')
})
after(async () => {
  await Promise.all([tls?.stop(), cluster?.stop()])
})

test('a TLS-only Redis with a password refuses a replay across two processes', { skip }, async () => {
  const where = await tls.ready
  const files = { caFile: where.ca_file, clientCertFile: where.client_cert_file, clientKeyFile: where.client_key_file }
  await replayRefusedAcrossTwoProcesses(where.url, files)
  assert.throws(() => new RedisReplayGuard(where.url), /cannot reach Redis/, 'the system roots do not hold the test CA')
  assert.throws(() => new RedisReplayGuard(where.url, { caFile: where.ca_file }), /cannot reach Redis/, 'no client certificate')
  assert.throws(() => new RedisReplayGuard(where.url, { caFile: '/nonexistent/ca.pem' }), /cannot read the CA file/)
  // The server's certificate is checked, with a client certificate the server accepts.
  const client = { clientCertFile: where.client_cert_file, clientKeyFile: where.client_key_file }
  assert.throws(
    () => new RedisReplayGuard(where.url, { caFile: where.other_ca_file, ...client }),
    /cannot reach Redis/,
    'a CA that is not trusted',
  )
  assert.throws(
    () => new RedisReplayGuard(where.wrong_name_url, { caFile: where.ca_file, ...client }),
    /cannot reach Redis/,
    'a name the certificate does not hold',
  )
  assert.ok(new RedisReplayGuard(where.url, { caFile: where.ca_file, ...client }), 'the right CA and name connect')
})

test('a Redis Cluster of three masters refuses a replay across two processes', { skip }, async () => {
  const { nodes } = await cluster.ready
  await replayRefusedAcrossTwoProcesses(nodes.slice(0, 1), { cluster: true })
  await replayRefusedAcrossTwoProcesses(nodes.slice(1), { cluster: true })
})
