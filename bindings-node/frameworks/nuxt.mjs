// Nuxt server routes run on h3: the same helper under the official name.
export { verifySignatureH3 as verifySignatureNuxt } from './h3.mjs'
