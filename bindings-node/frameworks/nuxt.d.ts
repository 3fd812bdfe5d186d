export { verifySignatureH3 as verifySignatureNuxt, type VerifySignatureConfig } from './h3'
