import './polyfills.ts'
import { createHmac } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { openUdpSocket, stunBinding } from '../e2e/support/stun-client.ts'
import { parseRelayFlags, type RelayConfig } from './flags.ts'
import { buildIceOffer } from './ice-offers.ts'
import { IceOffer, requestIceOffer } from '../src/common/wire/ice-protocol.ts'
import { runRelay, type RunningRelay } from './run.ts'

// @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket

const SECRET = 'ice-test-secret'
const TTL = 900

describe('the ICE offer a relay builds', () => {
  it('lists its STUN responder first, then TURN with a credential for the peer', () => {
    const offer = buildIceOffer({ stun: { host: '198.18.0.1', port: 3478 }, turn: { urls: ['turn:198.18.0.1:3479?transport=udp'], secret: 'k' }, ttlSeconds: 60 }, 'peer', 1_000_000)
    expect(offer).toEqual({
      status: IceOffer.Status.OK,
      servers: [
        { urls: ['stun:198.18.0.1:3478'] },
        { urls: ['turn:198.18.0.1:3479?transport=udp'], username: '1060:peer', credential: createHmac('sha1', 'k').update('1060:peer').digest('base64') }
      ],
      ttlSeconds: 60
    })
  })

  it('brackets an IPv6 STUN host, and offers nothing when it runs neither STUN nor TURN', () => {
    expect(buildIceOffer({ stun: { host: '::1', port: 3478 }, ttlSeconds: 60 }, 'p', 0).servers).toEqual([{ urls: ['stun:[::1]:3478'] }])
    expect(buildIceOffer({ ttlSeconds: 60 }, 'p', 0)).toEqual({ status: IceOffer.Status.OK, servers: [], ttlSeconds: 60 })
  })
})

async function freeUdpPort (): Promise<number> {
  const socket = await openUdpSocket(0, '127.0.0.1')
  const { port } = socket.address()
  socket.close()
  return port
}

async function startClient (reserve: boolean): Promise<Libp2p> {
  return await createLibp2p({
    // Listening on /p2p-circuit makes libp2p reserve a slot on the relay it connects to, as the browsers do.
    addresses: { listen: reserve ? ['/p2p-circuit'] : [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
}

async function waitFor (predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('/peerlink/ice/1.0.0 on a relay running on 127.0.0.1', () => {
  let relay: RunningRelay
  let config: RelayConfig
  let address: string
  const clients: Libp2p[] = []

  beforeAll(async () => {
    const stunPort = await freeUdpPort()
    const parsed = parseRelayFlags(['--port', '0', '--key-file', '', '--stun-port', String(stunPort),
      '--turn-url', 'turn:127.0.0.1:3479?transport=udp', '--turn-secret', SECRET, '--turn-ttl', String(TTL)])
    if (parsed === 'help') throw new Error('unexpected help')
    config = parsed
    relay = await runRelay(config)
    address = relay.node.getMultiaddrs()[0]!.toString()
  }, 20_000)

  afterAll(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    await relay?.stop()
  })

  it('says what it runs, `relay:` lines first as the tests parse them', () => {
    expect(relay.describe()).toEqual([
      `relay: ${address}`,
      `stun: 127.0.0.1:${config.stunPort}`,
      `turn: turn:127.0.0.1:3479?transport=udp (credentials valid ${TTL} s)`,
      'limits: 16777216 bytes, 600 s per relayed connection',
      'mailbox: none (start with --data-dir to keep mail for users)'
    ])
  })

  it('offers a peer with a reservation its STUN responder and a fresh TURN credential', async () => {
    const client = await startClient(true)
    clients.push(client)
    await client.dial(multiaddr(address))
    await waitFor(() => client.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), 'a reservation on the relay')

    const before = Math.floor(Date.now() / 1000)
    const offer = await requestIceOffer(client, multiaddr(address), { signal: AbortSignal.timeout(10_000) })
    const after = Math.floor(Date.now() / 1000)

    expect(offer.status).toBe(IceOffer.Status.OK)
    expect(offer.ttlSeconds).toBe(TTL)
    const [stun, turn] = offer.servers
    expect(stun).toEqual({ urls: [`stun:127.0.0.1:${config.stunPort}`] })
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3479?transport=udp'])
    const [expiry, label] = turn!.username!.split(':')
    expect(label).toBe(client.peerId.toString())
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + TTL)
    expect(Number(expiry)).toBeLessThanOrEqual(after + TTL)
    expect(turn!.credential).toBe(createHmac('sha1', SECRET).update(turn!.username!).digest('base64'))

    // The offered STUN URL answers, with this machine's view of our socket.
    const [, host, port] = /^stun:(.+):(\d+)$/.exec(stun!.urls[0]!)!
    const socket = await openUdpSocket(0, '127.0.0.1')
    try {
      expect(await stunBinding(socket, { host: host!, port: Number(port) })).toEqual({ family: 'IPv4', address: '127.0.0.1', port: socket.address().port })
    } finally {
      socket.close()
    }
  }, 30_000)

  it('offers nothing to a peer without a reservation', async () => {
    const client = await startClient(false)
    clients.push(client)
    await expect(requestIceOffer(client, multiaddr(address), { signal: AbortSignal.timeout(10_000) }))
      .rejects.toMatchObject({ name: 'IceOfferRefusedError', data: { status: IceOffer.Status.NO_RESERVATION } })
  }, 30_000)
})
