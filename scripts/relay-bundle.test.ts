import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SCRIPT = join(ROOT, 'scripts/relay-bundle.ts')

const installed = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version

describe('npm run relay:bundle', () => {
  let dir: string
  let bundle: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerlink-relay-bundle-'))
    const built = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(built.stderr).toBe('')
    expect(built.status).toBe(0)
    bundle = join(dir, 'peerlink-relay.mjs')
    // What `npm install --omit=dev` gives the server: only the packages its package.json names are
    // reachable from the bundle (their own dependencies resolve from where they really are).
    const { dependencies } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    for (const name of Object.keys(dependencies)) {
      mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true })
      symlinkSync(realpathSync(join(ROOT, 'node_modules', name)), join(dir, 'node_modules', name), 'dir')
    }
  }, 90_000)

  afterAll(() => {
    if (dir != null) rmSync(dir, { recursive: true, force: true })
  })

  it('writes a package.json that installs exactly the native modules left out, pinned to the versions bundled against', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    expect(manifest).toEqual({
      name: 'peerlink-relay',
      private: true,
      type: 'module',
      dependencies: { 'better-sqlite3': installed('better-sqlite3'), 'node-datachannel': installed('node-datachannel') }
    })
    for (const version of Object.values(manifest.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('prints its usage on --help, and stops on a bad flag with one line on stderr and exit code 2', () => {
    const help = spawnSync(process.execPath, [bundle, '--help'], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^usage: /)
    expect(help.stdout).toContain('--webrtc-port N')
    const bad = spawnSync(process.execPath, [bundle, '--max-relay-seconds', 'soon'], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
    expect(bad.status).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toBe('relay: --max-relay-seconds must be a whole number 1..2147483, got "soon"\n')
  }, 40_000)

  it('runs with its WebSocket and WebRTC-direct listeners and its mailbox, and stops on SIGTERM', async () => {
    const data = join(dir, 'data')
    const child = spawn(process.execPath, [bundle, '--port', '0', '--key-file', '', '--webrtc-port', '0', '--data-dir', data],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
    try {
      const deadline = Date.now() + 30_000
      while (!/^mailbox: /m.test(stdout) && Date.now() < deadline && child.exitCode == null) await new Promise(resolve => setTimeout(resolve, 50))
      expect(stderr).toBe('')
      expect(stdout).toMatch(/^relay: \/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/12D3KooW\w+$/m)
      // node-datachannel's addon answers on the UDP port.
      expect(stdout).toMatch(/^relay: \/ip4\/127\.0\.0\.1\/udp\/\d+\/webrtc-direct\/certhash\/uEi[\w-]{44}\/p2p\/12D3KooW\w+$/m)
      expect(stdout).toMatch(/^limits: 16777216 bytes, 600 s per relayed connection; 1024 reservations, 1280 connections, 32 per IP address$/m)
      // better-sqlite3's addon opened the database.
      expect(stdout).toContain(`mailbox: ${join(data, 'mailbox.sqlite')}, 67108864 bytes and 10000 envelopes per user, 30 days\n`)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  }, 40_000)
})
