import './polyfills.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openUdpSocket, stunBinding } from '../e2e/support/network/stun-client.ts'
import { IceOffer, requestIceOffer } from '../src/common/wire/ice-protocol.ts'
import { parseRelayFlags } from './flags.ts'
import { runRelay, type RunningRelay } from './run.ts'
import { startClient, waitFor } from './test-clients.ts'

async function freePort (udp: boolean): Promise<number> {
  if (udp) {
    const socket = await openUdpSocket(0, '127.0.0.1')
    const { port } = socket.address()
    socket.close()
    return port
  }
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return typeof address === 'object' && address != null ? address.port : 0
}

/** One sample of a Prometheus text page, by its name and labels as written there. */
function sample (page: string, series: string): number | undefined {
  const line = page.split('\n').find(l => l.startsWith(`${series} `))
  return line == null ? undefined : Number(line.slice(series.length + 1))
}

describe('a relay with --metrics-port, after a known run of work', () => {
  let relay: RunningRelay
  let base: string
  let address: string
  let dataDir: string
  const log: string[] = []
  const clients: Libp2p[] = []

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'peerlink-relay-metrics-'))
    const metricsPort = await freePort(false)
    const config = parseRelayFlags(['--port', '0', '--data-dir', dataDir, '--stun-port', String(await freePort(true)),
      '--metrics-port', String(metricsPort), '--max-connections-per-ip', '3', '--proxy-ip', ''])
    if (config === 'help') throw new Error('unexpected help')
    relay = await runRelay(config, line => log.push(line))
    address = relay.node.getMultiaddrs()[0]!.toString()
    base = `http://127.0.0.1:${metricsPort}`
    expect(relay.describe()).toContain(`metrics: ${base}/metrics (and /healthz)`)
  }, 20_000)

  afterAll(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    await relay?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('counts what the test did: reservations, ICE offers, STUN answers, connections refused per IP, and libp2p\'s own figures', async () => {
    // Three STUN answers.
    const socket = await openUdpSocket(0, '127.0.0.1')
    try {
      for (let i = 0; i < 3; i++) await stunBinding(socket, { host: '127.0.0.1', port: relay.stun!.port })
    } finally {
      socket.close()
    }
    // One reservation and its offer; one peer without a reservation told so.
    const reserved = await startClient(true)
    const stranger = await startClient(false)
    clients.push(reserved, stranger)
    await reserved.dial(multiaddr(address))
    await waitFor(() => relay.node.services.relay.reservations.size === 1, 'a reservation on the relay')
    await requestIceOffer(reserved, multiaddr(address), { signal: AbortSignal.timeout(10_000) })
    await expect(requestIceOffer(stranger, multiaddr(address), { signal: AbortSignal.timeout(10_000) }))
      .rejects.toMatchObject({ data: { status: IceOffer.Status.NO_RESERVATION } })
    // A third connection from 127.0.0.1 fits its share of 3; the fourth is refused.
    const third = await startClient(false)
    const fourth = await startClient(false)
    clients.push(third, fourth)
    await third.dial(multiaddr(address))
    await expect(fourth.dial(multiaddr(address))).rejects.toThrow()

    const response = await fetch(`${base}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const page = await response.text()
    expect({
      reservations: sample(page, 'peerlink_relay_reservations'),
      limit: sample(page, 'peerlink_relay_reservations_limit'),
      stunAnswered: sample(page, 'peerlink_relay_stun_requests_total{result="answered"}'),
      stunLimited: sample(page, 'peerlink_relay_stun_requests_total{result="limited"}'),
      offers: sample(page, 'peerlink_relay_ice_offers_total{result="offer"}'),
      noReservation: sample(page, 'peerlink_relay_ice_offers_total{result="no_reservation"}'),
      refusedPerIp: sample(page, 'peerlink_relay_refusals_total{cause="connections-per-ip"}'),
      mailboxes: sample(page, 'peerlink_relay_mailbox_mailboxes'),
      mailBytesLimit: sample(page, 'peerlink_relay_mailbox_bytes_limit'),
      inbound: sample(page, 'libp2p_connection_manager_connections{libp2p_connection_manager_connections="inbound"}'),
      intercepted: sample(page, 'libp2p_connection_manager_dials_inbound_errors_total{libp2p_connection_manager_dials_inbound_errors_total="ConnectionInterceptedError"}')
    }).toEqual({
      reservations: 1,
      limit: 1024,
      stunAnswered: 3,
      stunLimited: 0,
      offers: 1,
      noReservation: 1,
      refusedPerIp: 1,
      mailboxes: 0,
      mailBytesLimit: 1024 * 1024 * 1024,
      inbound: 3,
      intercepted: 1
    })
    // The process's own figures come too: what an operator alerts on for memory.
    expect(sample(page, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(log).toEqual(['relay: refused connections-per-ip: 127.0.0.1'])
  }, 40_000)

  it('answers /healthz, and nothing else but /metrics', async () => {
    const health = await fetch(`${base}/healthz`)
    expect([health.status, await health.text()]).toEqual([200, 'ok\n'])
    expect((await fetch(`${base}/`)).status).toBe(404)
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405)
  })
})
