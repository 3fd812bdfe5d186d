#!/usr/bin/env node
'use strict'
// Runs the qstash-kit binary of this platform, which npm installed as one of this package's
// optional dependencies (the @node-rs / esbuild way): arguments, standard streams, signals
// and the exit code pass through, so `npx qstash-kit dev` is the binary itself.
const { spawn } = require('node:child_process')
const { accessSync, chmodSync, constants } = require('node:fs')

/** `linux-x64-gnu`, `darwin-arm64`, …: the suffix of the platform package's name. */
function platform() {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`
  const glibc = process.report?.getReport?.()?.header?.glibcVersionRuntime
  return `linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`
}

function binary(target) {
  const file = process.platform === 'win32' ? 'qstash-kit.exe' : 'qstash-kit'
  let path
  try {
    path = require.resolve(`qstash-kit-${target}/${file}`)
  } catch {
    return null
  }
  try {
    accessSync(path, constants.X_OK)
  } catch {
    // An installer that dropped the mode bits (some do for files that are not `bin`).
    chmodSync(path, 0o755)
  }
  return path
}

const target = platform()
const path = binary(target)
if (path === null) {
  console.error(
    `qstash-kit: no binary for this platform (${target}): the package qstash-kit-${target} is not installed.\n` +
      'Reinstall without --no-optional / --omit=optional, or build it with `cargo install qstash-kit`.',
  )
  process.exit(1)
}
const child = spawn(path, process.argv.slice(2), { stdio: 'inherit' })
const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP']
for (const signal of forwarded) process.on(signal, () => child.kill(signal))
child.on('error', (error) => {
  console.error(`qstash-kit: ${error.message}`)
  process.exit(1)
})
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code ?? 1)
  // Ended by a signal: end the same way, so the caller sees what happened.
  for (const name of forwarded) process.removeAllListeners(name)
  process.kill(process.pid, signal)
})
