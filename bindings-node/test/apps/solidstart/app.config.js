// The smallest SolidStart app: one API route behind verifySignatureSolidjs.
import { defineConfig } from '@solidjs/start/config'

export default defineConfig({
  // The test links qstash-verify into node_modules; installed from npm it is a dependency
  // Vite leaves to Node, which is what this says.
  vite: { ssr: { external: ['qstash-verify'] }, logLevel: 'silent' },
})
