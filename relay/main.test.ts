import { spawn, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { openUdpSocket } from '../e2e/support/network/stun-client.ts'

const RELAY = ['--import', 'tsx', 'relay/main.ts']

describe('npm run relay', () => {
  it('stops on a bad flag with one line on stderr and exit code 2', () => {
    const result = spawnSync(process.execPath, [...RELAY, '--max-relay-seconds', 'soon'], { encoding: 'utf8', timeout: 30_000 })
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('relay: --max-relay-seconds must be a whole number 1..2147483, got "soon"\n')
  }, 40_000)

  it('prints its multiaddr, its STUN port and its limits, and stops on SIGTERM', async () => {
    const probe = await openUdpSocket(0, '127.0.0.1')
    const stunPort = probe.address().port
    probe.close()
    const child = spawn(process.execPath, [...RELAY, '--port', '0', '--key-file', '', '--stun-port', String(stunPort),
      '--max-relay-bytes', '131072', '--max-relay-seconds', '120'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
    try {
      const deadline = Date.now() + 30_000
      while (!/^limits: /m.test(output) && Date.now() < deadline && child.exitCode == null) await new Promise(resolve => setTimeout(resolve, 50))
      expect(output).toMatch(/^relay: \/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/12D3KooW\w+$/m)
      expect(output).toMatch(new RegExp(`^stun: 127\\.0\\.0\\.1:${stunPort}$`, 'm'))
      expect(output).toMatch(/^limits: 131072 bytes, 120 s per relayed connection; 1024 reservations, 1280 connections, 32 per IP address$/m)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  }, 40_000)
})
