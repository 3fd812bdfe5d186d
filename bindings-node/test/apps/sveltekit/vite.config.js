import { sveltekit } from '@sveltejs/kit/vite'

export default {
  plugins: [sveltekit()],
  logLevel: 'silent',
  // The test links qstash-verify into node_modules; installed from npm it is a dependency
  // Vite leaves to Node, which is what this says.
  ssr: { external: ['qstash-verify'] },
}
