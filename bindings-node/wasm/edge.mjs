// qstash-verify for workerd (Cloudflare Workers) and Vercel Edge: these runtimes compile
// WebAssembly only from modules imported as such, not from bytes at run time.
// @ts-expect-error: a module the runtime compiles from the `.wasm` file, which has no types
import wasmModule from './pkg/qstash_verify_bg.wasm'
import { initSync } from './pkg/qstash_verify.js'

initSync({ module: wasmModule })

export * from './api.mjs'
