// The smallest SvelteKit app: one API route behind verifySignatureSvelte.
export default { kit: {} }
