// qstash-verify on WebAssembly for Deno, browsers and Node (`qstash-verify/wasm`): the wasm
// travels inside this package as base64, so nothing is fetched or read from disk.
import { initSync } from './pkg/qstash_verify.js'
import { WASM_BASE64 } from './pkg/qstash_verify_bg.wasm.base64.mjs'

function decode(base64) {
  const text = atob(base64)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

initSync({ module: new WebAssembly.Module(decode(WASM_BASE64)) })

export * from './api.mjs'
