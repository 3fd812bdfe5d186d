// A stand-in for Redis that holds every `SET` until the test releases it: a replay store that
// is up but slow (as under `CLIENT PAUSE`), with a count of the checks waiting on it, so a
// test knows they are waiting without sleeping. Other commands (the client's hello on
// connect) are answered `+OK` at once. It runs on a worker thread of its own: connecting a
// `RedisReplayGuard` waits on the test's thread.
import { createServer } from 'node:net'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

/** The RESP commands complete in `buffer`, and what is left of it. */
function commands(buffer) {
  const found = []
  let at = 0
  for (;;) {
    const start = at
    const line = (from) => {
      const end = buffer.indexOf('\r\n', from)
      return end < 0 ? null : [buffer.toString('latin1', from, end), end + 2]
    }
    const head = line(at)
    if (head?.[0][0] !== '*') return { found, rest: buffer.subarray(start) }
    let next = head[1]
    const args = []
    for (let i = 0; i < Number(head[0].slice(1)); i++) {
      const size = line(next)
      if (!size) return { found, rest: buffer.subarray(start) }
      const length = Number(size[0].slice(1))
      if (buffer.length < size[1] + length + 2) return { found, rest: buffer.subarray(start) }
      args.push(buffer.toString('latin1', size[1], size[1] + length))
      next = size[1] + length + 2
    }
    found.push(args)
    at = next
  }
}

/** The server, on the worker thread: tells the test each time a SET arrives; answers the
 * held ones when told to. */
function serve() {
  const { answerAfterMs } = workerData ?? {}
  const held = []
  const server = createServer((socket) => {
    socket.on('error', () => {})
    let pending = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      const { found, rest } = commands(Buffer.concat([pending, chunk]))
      pending = rest
      for (const args of found) {
        if (args[0].toUpperCase() === 'SET' && answerAfterMs !== undefined) {
          setTimeout(() => socket.write('+OK\r\n'), answerAfterMs)
        } else if (args[0].toUpperCase() === 'SET') {
          held.push(socket)
          parentPort.postMessage({ sets: held.length })
        } else {
          socket.write('+OK\r\n')
        }
      }
    })
  })
  parentPort.on('message', (message) => {
    if (message === 'release') for (const socket of held.splice(0)) socket.write('+OK\r\n')
  })
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }))
}

if (!isMainThread) serve()

/** Starts the store; resolves `{ url, waitForSets(n), release(), close() }`. With
 * `answerAfterMs`, each SET is answered `+OK` by the store itself that long after it arrived:
 * a store that is up but slower than a second. */
export async function heldStore({ answerAfterMs } = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { answerAfterMs } })
  const waiters = []
  let sets = 0
  const port = await new Promise((resolve, reject) => {
    worker.once('error', reject)
    worker.once('message', (message) => resolve(message.port))
  })
  worker.on('message', (message) => {
    sets = message.sets ?? sets
    for (const waiter of waiters.splice(0)) {
      if (sets >= waiter.count) waiter.resolve()
      else waiters.push(waiter)
    }
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    /** Resolves once `count` SETs have arrived (in all). */
    waitForSets: (count) =>
      new Promise((resolve) => {
        if (sets >= count) resolve()
        else waiters.push({ count, resolve })
      }),
    /** Answers every held SET as a first delivery (`+OK`). */
    release: () => worker.postMessage('release'),
    close: () => worker.terminate(),
  }
}
