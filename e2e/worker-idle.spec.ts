import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { findChromium } from '../scripts/browsers.mjs'
import { expect, pairUp, test } from './fixtures.ts'
import { ExtensionProfile, EXTENSION_DIR } from './support/extension-profile.ts'

/**
 * Playwright attaches to service workers, and an attached worker never idles
 * out, so Alice's browser is launched here as a plain process and its targets
 * watched over CDP with target discovery only: nothing attaches to her worker.
 * She is set up as users have her: reserved on a relay, with a contact (Bob,
 * a Playwright profile) she has talked to and is connected to again.
 */
test('an idle Peerlink with a relay and a connected contact lets Chrome stop its service worker (nothing keeps it awake), and a message wakes it', async ({ relay }) => {
  test.setTimeout(180_000)
  const executable = await findChromium()
  const profile = mkdtempSync(join(tmpdir(), 'peerlink-idle-'))
  const bob = await ExtensionProfile.launch({ name: 'bob' })
  let browser: ChildProcess | undefined
  try {
    const setup = await ExtensionProfile.launch({ name: 'alice', userDataDir: profile })
    const [aliceId, bobId] = await pairUp(relay, setup, bob, ['Alice', 'Bob'])
    await setup.api({ method: 'send', peerId: bobId, text: 'hello before the idle test', awaitDelivery: true })
    await setup.close()

    // Its own process group, so the end of the test stops every Chromium process, not only the first.
    browser = spawn(executable!, [
      '--headless', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu',
      '--disable-features=WebRtcHideLocalIpsWithMdns', `--user-data-dir=${profile}`, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`,
      '--remote-debugging-port=0', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'about:blank'
    ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    const chromium = browser
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = ''
      chromium.stderr!.on('data', (chunk: Buffer) => {
        text += chunk.toString()
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(text)
        if (match != null) resolve(match[1]!)
      })
      chromium.once('exit', () => { reject(new Error('Chromium exited before it listened')) })
    })
    const socket = new WebSocket(endpoint)
    await new Promise(resolve => socket.once('open', resolve))
    const started = Date.now()
    const events: Array<{ at: number, running: boolean }> = []
    const workers = new Set<string>()
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { method?: string, params?: { targetInfo?: { targetId: string, type: string, url: string }, targetId?: string } }
      const info = message.params?.targetInfo
      // Chromium takes a command-line extension for a new install at every launch, so Peerlink opens its welcome page;
      // an open Peerlink page keeps the worker awake (it is subscribed), so close it as a person would.
      if (message.method === 'Target.targetCreated' && info?.type === 'page' && info.url.includes('/welcome/welcome.html')) {
        socket.send(JSON.stringify({ id: 2, method: 'Target.closeTarget', params: { targetId: info.targetId } }))
      }
      if (message.method === 'Target.targetCreated' && info?.type === 'service_worker' && info.url.startsWith('chrome-extension://')) {
        workers.add(info.targetId)
        events.push({ at: Date.now() - started, running: true })
      }
      if (message.method === 'Target.targetDestroyed' && workers.delete(message.params?.targetId ?? '')) {
        events.push({ at: Date.now() - started, running: false })
      }
    })
    socket.send(JSON.stringify({ id: 1, method: 'Target.setDiscoverTargets', params: { discover: true } }))

    // Alice's Peerlink starts, reserves on the relay and is connected to Bob again.
    await expect.poll(() => events.some(e => e.running), { timeout: 10_000 }).toBe(true)
    await bob.waitForStatus(s => s.peers.find(p => p.peerId === aliceId)?.state === 'connected', 'Bob connected to Alice\'s relaunched browser', 60_000)
    const connectedAt = Date.now() - started
    // Then nothing happens: Chrome stops her worker (about 30 s of quiet), while her node keeps the connection.
    await expect.poll(() => events.some(e => !e.running && e.at > connectedAt) && workers.size === 0, { timeout: 120_000, intervals: [1_000] }).toBe(true)
    expect((await bob.status()).peers.find(p => p.peerId === aliceId)?.state).toBe('connected')
    const stoppedAt = events.filter(e => !e.running).at(-1)!.at
    // A message from Bob wakes it, and is delivered.
    expect((await bob.api({ method: 'send', peerId: aliceId, text: 'wake up', awaitDelivery: true })).state).toBe('delivered')
    expect(events.some(e => e.running && e.at > stoppedAt)).toBe(true)
    console.log(`Alice's worker: ${events.map(e => `${e.running ? 'running' : 'stopped'} at ${(e.at / 1000).toFixed(1)} s`).join(', ')}; connected to Bob at ${(connectedAt / 1000).toFixed(1)} s`)
    socket.close()
  } finally {
    if (browser != null) {
      const exited = new Promise(resolve => browser!.once('exit', resolve))
      process.kill(-browser.pid!, 'SIGKILL')
      await exited
    }
    await bob.close()
    // A child process may still be closing files in the profile as it goes: Node retries what that fails.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
  }
})
