import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'relay/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    // libp2p v3 calls Promise.withResolvers, which Node has only from 22 on (browsers have it).
    setupFiles: ['relay/polyfills.ts']
  }
})
