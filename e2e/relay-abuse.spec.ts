/**
 * One host abusing the relay (a separate Node process on 127.0.0.2: 200
 * handshakes that never finish, then 200 connections each asking for a
 * reservation, an ICE-offer loop, a STUN flood) while browsers on 127.0.0.1 use
 * it. The browsers are not exempt (`--proxy-ip ""`): only their address
 * differs. What the relay refused is read from its /metrics.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { makePair, pairUp } from './fixtures.ts'
import { numbered, sendNumbered, waitForAll } from './support/exchange.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { openUdpSocket } from './support/network/stun-client.ts'
import { RelayProcess } from './support/relay-process.ts'

const MAX_PER_IP = 16
const ICE_PER_MINUTE = 10
const EACH_WAY = 50

async function freeUdpPort (): Promise<number> {
  const socket = await openUdpSocket(0, '127.0.0.1')
  const { port } = socket.address()
  socket.close()
  return port
}

function rssMiB (pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  return Math.round(kb / 1024)
}

/** One sample of the relay's metrics page. */
function sample (page: string, series: string): number {
  const line = page.split('\n').find(l => l.startsWith(`${series} `))
  return line == null ? 0 : Number(line.slice(series.length + 1))
}

interface AbuseReport { connected: number, refused: number, reserved: number, stalledOpened: number, iceAnswered: number, iceRefused: number, stunSent: number, stunAnswered: number }

async function abuse (relayAddress: string, stunPort: number): Promise<AbuseReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/support/relay-abuser.ts', relayAddress, String(stunPort), '127.0.0.2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  const line = output.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !line.startsWith('{')) throw new Error(`the abuser exited with ${code}:\n${output}`)
  return JSON.parse(line) as AbuseReport
}

test('one host flooding the relay is refused by its limits while browsers on another address reserve, connect and message', async () => {
  test.setTimeout(240_000)
  const stunPort = await freeUdpPort()
  const metricsPort = await freeUdpPort()
  const relay = await RelayProcess.start(0, undefined, {
    args: ['--stun-port', String(stunPort), '--metrics-port', String(metricsPort), '--proxy-ip', '',
      '--max-connections-per-ip', String(MAX_PER_IP), '--new-connections-per-ip', '50', '--ice-offers-per-minute', String(ICE_PER_MINUTE)]
  })
  const { alice, bob, aliceId, bobId } = await makePair(relay).catch(async (err: unknown) => { await relay.stop(); throw err })
  let carol: ExtensionProfile | undefined
  try {
    const rssBefore = rssMiB(relay.pid!)
    const abused = abuse(relay.address, stunPort)
    // Meanwhile: Alice and Bob keep messaging, and Carol, new, reserves on the relay and reaches Alice through it.
    const exchange = (async () => {
      await Promise.all([sendNumbered(alice, bobId, 'a', EACH_WAY), sendNumbered(bob, aliceId, 'b', EACH_WAY)])
      return await Promise.all([waitForAll(alice, bob, EACH_WAY, 120_000), waitForAll(bob, alice, EACH_WAY, 120_000)])
    })()
    carol = await ExtensionProfile.launch({ name: 'carol' })
    const [, carolId] = await pairUp(relay, alice, carol, ['Alice', 'Carol'])
    expect((await carol.api({ method: 'send', peerId: aliceId, text: 'Carol, during the flood', awaitDelivery: true })).state).toBe('delivered')
    const report = await abused
    const [atBob, atAlice] = await exchange
    const rssAfter = rssMiB(relay.pid!)
    const page = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const figures = {
      perIp: sample(page, 'peerlink_relay_refusals_total{cause="connections-per-ip"}'),
      rate: sample(page, 'peerlink_relay_refusals_total{cause="new-connections-per-ip"}'),
      iceLimited: sample(page, 'peerlink_relay_ice_offers_total{result="limited"}'),
      stunAnswered: sample(page, 'peerlink_relay_stun_requests_total{result="answered"}'),
      stunLimited: sample(page, 'peerlink_relay_stun_requests_total{result="limited"}')
    }
    console.log(`abuser: ${JSON.stringify(report)}`)
    console.log(`relay: ${JSON.stringify(figures)}; RSS ${rssBefore} MiB before, ${rssAfter} MiB after`)

    // The flood got no more than its share of anything.
    // Its stalled handshakes held its share until it dropped them; then its share, and no more, got in.
    expect(report.connected).toBeGreaterThan(0)
    expect(report.connected).toBeLessThanOrEqual(MAX_PER_IP)
    expect(report.reserved).toBeLessThanOrEqual(MAX_PER_IP)
    expect(report.connected + report.refused).toBe(200)
    expect(figures.perIp).toBeGreaterThan(0)
    expect(report.iceAnswered).toBe(ICE_PER_MINUTE)
    expect(figures.iceLimited).toBe(report.iceRefused)
    // The browsers asked the relay's STUN too.
    expect(report.stunAnswered).toBeLessThanOrEqual(figures.stunAnswered)
    expect(figures.stunLimited).toBeGreaterThan(0)
    expect(report.stunAnswered).toBeLessThan(report.stunSent / 10)
    // What the browsers did arrived whole.
    expect(atBob.received.filter(t => t.startsWith('a-'))).toEqual(numbered('a', EACH_WAY))
    expect(atAlice.received.filter(t => t.startsWith('b-'))).toEqual(numbered('b', EACH_WAY))
    expect((await alice.messages(carolId)).map(m => m.text)).toEqual(['Carol, during the flood'])
    // The relay's memory stayed bounded: 200 refused connections and 100 stalled ones cost it no more than this.
    expect(rssAfter - rssBefore).toBeLessThan(150)
    // Its log says what it refused, a line per cause, not one per refusal.
    expect(relay.log.match(/^relay: refused /gm)?.length).toBeLessThanOrEqual(5)
  } finally {
    await Promise.all([alice.close(), bob.close(), carol?.close()])
    await relay.stop()
  }
})
