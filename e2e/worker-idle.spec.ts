import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { findChromium } from '../scripts/browsers.mjs'
import { expect, test } from './fixtures.ts'
import { EXTENSION_DIR } from './support/extension-profile.ts'

/**
 * Playwright attaches to service workers, and an attached worker never idles
 * out, so this test launches Chromium as a plain process and watches its
 * targets over CDP with target discovery only: nothing attaches to the worker.
 */
test('an idle Peerlink lets Chrome stop its service worker (nothing keeps it awake)', async () => {
  test.setTimeout(150_000)
  const executable = await findChromium()
  const profile = mkdtempSync(join(tmpdir(), 'peerlink-idle-'))
  // Its own process group, so the end of the test stops every Chromium process, not only the first.
  const browser = spawn(executable!, [
    '--headless', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu',
    `--user-data-dir=${profile}`, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`,
    '--remote-debugging-port=0', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'about:blank'
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = ''
      browser.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString()
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(text)
        if (match != null) resolve(match[1]!)
      })
      browser.once('exit', () => { reject(new Error('Chromium exited before it listened')) })
    })
    const socket = new WebSocket(endpoint)
    await new Promise(resolve => socket.once('open', resolve))
    const started = Date.now()
    const events: Array<{ at: number, running: boolean }> = []
    const workers = new Set<string>()
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { method?: string, params?: { targetInfo?: { targetId: string, type: string, url: string }, targetId?: string } }
      const info = message.params?.targetInfo
      if (message.method === 'Target.targetCreated' && info?.type === 'service_worker' && info.url.startsWith('chrome-extension://')) {
        workers.add(info.targetId)
        events.push({ at: Date.now() - started, running: true })
      }
      if (message.method === 'Target.targetDestroyed' && workers.delete(message.params?.targetId ?? '')) {
        events.push({ at: Date.now() - started, running: false })
      }
    })
    socket.send(JSON.stringify({ id: 1, method: 'Target.setDiscoverTargets', params: { discover: true } }))

    // It starts (installed), sets up its node, and then nothing happens: Chrome stops it (about 30 s of
    // quiet). Every other test shows it comes back on the next event (they stop it with CDP).
    await expect.poll(() => events.some(e => e.running), { timeout: 10_000 }).toBe(true)
    await expect.poll(() => events.some(e => !e.running), { timeout: 120_000, intervals: [1_000] }).toBe(true)
    console.log(`worker: ${events.map(e => `${e.running ? 'running' : 'stopped'} at ${(e.at / 1000).toFixed(1)} s`).join(', ')}`)
    socket.close()
  } finally {
    const exited = new Promise(resolve => browser.once('exit', resolve))
    process.kill(-browser.pid!, 'SIGKILL')
    await exited
    // A child process may still be closing files in the profile as it goes: Node retries what that fails.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
  }
})
