import './polyfills.ts'
import { createHmac } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openUdpSocket, stunBinding } from '../e2e/support/network/stun-client.ts'
import { parseRelayFlags, type RelayConfig } from './flags.ts'
import { IceOffer, requestIceOffer } from '../src/common/wire/ice-protocol.ts'
import { runRelay, type RunningRelay } from './run.ts'
import { startClient, waitFor } from './test-clients.ts'

const SECRET = 'ice-test-secret'
const TTL = 900

async function freeUdpPort (): Promise<number> {
  const socket = await openUdpSocket(0, '127.0.0.1')
  const { port } = socket.address()
  socket.close()
  return port
}

describe('/peerlink/ice/1.0.0 on a relay running on 127.0.0.1', () => {
  let relay: RunningRelay
  let config: RelayConfig
  let address: string
  const clients: Libp2p[] = []

  beforeAll(async () => {
    const stunPort = await freeUdpPort()
    // TURN at once: how long a reservation must be held first is tested on a relay of its own below.
    const parsed = parseRelayFlags(['--port', '0', '--key-file', '', '--stun-port', String(stunPort),
      '--turn-url', 'turn:127.0.0.1:3479?transport=udp', '--turn-secret', SECRET, '--turn-ttl', String(TTL), '--turn-after', '0'])
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
      `turn: turn:127.0.0.1:3479?transport=udp (credentials valid ${TTL} s, after 0 s reserved, 6 an hour each)`,
      'limits: 16777216 bytes, 600 s per relayed connection; 1024 reservations, 1280 connections, 32 per IP address',
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
    expect(offer.ttlSeconds).toBeGreaterThanOrEqual(TTL - 1)
    expect(offer.ttlSeconds).toBeLessThanOrEqual(TTL)
    expect(offer.turnAfterSeconds).toBe(0)
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

/** Starts a relay on 127.0.0.1 from `flags`, changed by `override`; stopped after the describe. */
async function relayWith (flags: string[], override: Partial<RelayConfig> = {}, log?: (line: string) => void): Promise<{ relay: RunningRelay, address: string }> {
  const parsed = parseRelayFlags(['--port', '0', '--key-file', '', ...flags])
  if (parsed === 'help') throw new Error('unexpected help')
  const relay = await runRelay({ ...parsed, ...override }, log)
  return { relay, address: relay.node.getMultiaddrs()[0]!.toString() }
}

/** A client reserved on the relay at `address`, as a browser is. */
async function reservedClient (address: string, clients: Libp2p[]): Promise<Libp2p> {
  const client = await startClient(true)
  clients.push(client)
  await client.dial(multiaddr(address))
  await waitFor(() => client.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), 'a reservation on the relay')
  return client
}

describe('TURN credentials go only to browsers that have held a reservation for a while', () => {
  let relay: RunningRelay
  let address: string
  const clients: Libp2p[] = []

  beforeAll(async () => {
    ({ relay, address } = await relayWith(['--stun-port', String(await freeUdpPort()), '--turn-url', 'turn:127.0.0.1:3479?transport=udp', '--turn-secret', SECRET]))
  }, 20_000)

  afterAll(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    await relay?.stop()
  })

  it('a browser that just reserved gets STUN alone, and when to ask again for TURN', async () => {
    const client = await reservedClient(address, clients)
    const offer = await requestIceOffer(client, multiaddr(address), { signal: AbortSignal.timeout(10_000) })
    expect(offer.status).toBe(IceOffer.Status.OK)
    expect(offer.servers.map(s => s.urls[0]!.split(':')[0])).toEqual(['stun'])
    expect(offer.turnAfterSeconds).toBeGreaterThanOrEqual(1)
    expect(offer.turnAfterSeconds).toBeLessThanOrEqual(5)
  }, 30_000)
})

/** The relay's answer to a HOP RESERVE: the value of its `status` field (100: OK). */
function hopStatus (bytes: Uint8Array): number | undefined {
  let at = 0
  let status: number | undefined
  while (at < bytes.length) {
    const tag = varint.decode(bytes, at)
    at += varint.encodingLength(tag)
    if ((tag & 7) === 0) {
      const value = varint.decode(bytes, at)
      at += varint.encodingLength(value)
      if (tag >>> 3 === 5) status = value
    } else {
      const length = varint.decode(bytes, at)
      at += varint.encodingLength(length) + length
    }
  }
  return status
}

/** Refreshes the client's reservation as libp2p's client does before it expires: a HOP RESERVE on the connection it holds. */
async function refreshReservation (client: Libp2p, relay: Libp2p): Promise<number | undefined> {
  const stream = await client.dialProtocol(relay.peerId, RELAY_V2_HOP_CODEC, { signal: AbortSignal.timeout(10_000) })
  const lp = lpStream(stream)
  // HopMessage { type: RESERVE } (field 1, value 0).
  await lp.write(Uint8Array.of(0x08, 0x00))
  const answer = await lp.read({ signal: AbortSignal.timeout(10_000) })
  await stream.close()
  return hopStatus(answer.subarray())
}

describe('a refreshed reservation keeps its ICE offers past its first expiry', () => {
  /** Seconds a reservation lasts here unless refreshed; the browsers' relays use 7,200. */
  const RESERVATION_TTL_SECONDS = 6
  let relay: RunningRelay
  let address: string
  const clients: Libp2p[] = []

  beforeAll(async () => {
    ({ relay, address } = await relayWith(['--stun-port', String(await freeUdpPort())], { reservationTtlSeconds: RESERVATION_TTL_SECONDS }))
  }, 20_000)

  afterAll(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    await relay?.stop()
  })

  it('answers while the reservation exists, refreshed after its first expiry, and refuses once it lapses', async () => {
    const client = await reservedClient(address, clients)
    const reservations = relay.node.services.relay.reservations
    const firstExpiry = reservations.get(client.peerId)!.expiry.getTime()
    const ask = async (): Promise<IceOffer> => await requestIceOffer(client, multiaddr(address), { signal: AbortSignal.timeout(10_000) })
    expect((await ask()).status).toBe(IceOffer.Status.OK)

    // Half-way through its life the client refreshes it, which sets its timer going again.
    await waitFor(() => Date.now() >= firstExpiry - RESERVATION_TTL_SECONDS * 500, 'half the reservation\'s life')
    expect(await refreshReservation(client, relay.node)).toBe(100)
    // @libp2p/circuit-relay-v2 4.2.13 leaves `expiry` where it was.
    expect(reservations.get(client.peerId)?.expiry.getTime()).toBe(firstExpiry)

    // Past its first expiry the reservation is still there, and so is the offer.
    await waitFor(() => Date.now() > firstExpiry + 100, 'the reservation\'s first expiry')
    expect(reservations.get(client.peerId)).toBeDefined()
    expect(await ask()).toMatchObject({ status: IceOffer.Status.OK, servers: [{ urls: [expect.stringMatching(/^stun:/)] }] })

    // Not refreshed again, it lapses; then nothing is offered.
    await waitFor(() => reservations.get(client.peerId) == null, 'the reservation to lapse', RESERVATION_TTL_SECONDS * 1000 + 5_000)
    await expect(ask()).rejects.toMatchObject({ name: 'IceOfferRefusedError', data: { status: IceOffer.Status.NO_RESERVATION } })
  }, 60_000)
})

describe('a peer asking for ICE offers in a loop', () => {
  it('gets its share a minute, then its requests are reset unanswered and counted; other peers still get theirs', async () => {
    const { relay, address } = await relayWith(['--ice-offers-per-minute', '2'], {}, () => {})
    const clients: Libp2p[] = []
    try {
      const looping = await startClient(false)
      const other = await startClient(false)
      clients.push(looping, other)
      const ask = async (client: Libp2p): Promise<unknown> => await requestIceOffer(client, multiaddr(address), { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => err)
      const answers = []
      for (let i = 0; i < 5; i++) answers.push(await ask(looping))
      // Past its share the stream ends with no answer: the reader sees it end early or reset, whichever reaches it first.
      const unanswered = (a: unknown): boolean => a instanceof Error && ['UnexpectedEOFError', 'StreamResetError'].includes(a.name)
      expect(answers.map(a => (a as Error).name).slice(0, 2)).toEqual(['IceOfferRefusedError', 'IceOfferRefusedError'])
      expect(answers.slice(2).map(unanswered)).toEqual([true, true, true])
      expect(await ask(other)).toMatchObject({ name: 'IceOfferRefusedError', data: { status: IceOffer.Status.NO_RESERVATION } })
      expect(relay.refusals.counts().get('ice-rate')).toBe(3)
    } finally {
      await Promise.all(clients.map(async c => { await c.stop() }))
      await relay.stop()
    }
  }, 30_000)
})
