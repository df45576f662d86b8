import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: 'e2e',
  // Two browsers per test on a two-core machine: one test at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: { trace: 'off' }
})
