/**
 * Does Peerlink's service worker stop by itself when nothing happens?
 *
 * Playwright attaches to service workers, and an attached worker never idles
 * out, so this launches Chromium as a plain process with the built extension
 * and watches the browser's targets over CDP with target discovery only
 * (`Target.setDiscoverTargets`): nothing attaches to the worker. It prints
 * when the worker target comes and goes during `--seconds` (default 150).
 *
 *   npx tsx scripts/worker-idle.ts [--seconds 150]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { findChromium } from './browsers.mjs'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '150' } } })
const seconds = Number(values.seconds)
const extensionDir = resolve(import.meta.dirname, '../dist/chrome')
const executable = await findChromium()
if (executable == null) throw new Error('no Chromium found: set PEERLINK_CHROMIUM')
const profile = mkdtempSync(join(tmpdir(), 'peerlink-idle-'))

const browser = spawn(executable, [
  '--headless', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu',
  `--user-data-dir=${profile}`, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`,
  '--remote-debugging-port=0', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'about:blank'
], { stdio: ['ignore', 'ignore', 'pipe'] })

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
const at = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`
const workers = new Map<string, string>()
socket.on('message', (data: Buffer) => {
  const message = JSON.parse(data.toString()) as { method?: string, params?: { targetInfo?: { targetId: string, type: string, url: string }, targetId?: string } }
  const info = message.params?.targetInfo
  if (message.method === 'Target.targetCreated' && info?.type === 'service_worker' && info.url.startsWith('chrome-extension://')) {
    workers.set(info.targetId, info.url)
    console.log(`${at()}  worker running   ${info.url}`)
  }
  if (message.method === 'Target.targetDestroyed' && workers.has(message.params?.targetId ?? '')) {
    workers.delete(message.params!.targetId!)
    console.log(`${at()}  worker stopped`)
  }
})
socket.send(JSON.stringify({ id: 1, method: 'Target.setDiscoverTargets', params: { discover: true } }))

await new Promise(resolve => setTimeout(resolve, seconds * 1000))
console.log(`${at()}  end: the worker is ${workers.size > 0 ? 'still running' : 'stopped'}`)
socket.close()
browser.kill()
await new Promise(resolve => browser.once('exit', resolve))
rmSync(profile, { recursive: true, force: true })
