import type { Stream } from '@libp2p/interface'
import { streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { IceOffer, writeIceOffer } from '../../common/wire/ice-protocol.ts'
import { IceConfig } from './ice-config.ts'
import { offerRefreshDelayMs, RelayIceOffers, type RelayIceOffersOptions } from './relay-ice-offers.ts'

describe('offerRefreshDelayMs', () => {
  it('asks again well before an offer expires', () => {
    expect(offerRefreshDelayMs(3_600_000)).toBe(3_300_000)
    expect(offerRefreshDelayMs(600_000)).toBe(480_000)
  })

  it('never sooner than half a minute, however short the offer', () => {
    expect(offerRefreshDelayMs(60_000)).toBe(48_000)
    expect(offerRefreshDelayMs(10_000)).toBe(30_000)
    expect(offerRefreshDelayMs(0)).toBe(30_000)
  })

  it('asks again when the relay says TURN is due, never sooner than two seconds, never later than the refresh', () => {
    expect(offerRefreshDelayMs(3_600_000, 4_000)).toBe(4_000)
    expect(offerRefreshDelayMs(3_600_000, 1_000)).toBe(2_000)
    expect(offerRefreshDelayMs(3_600_000, 3_600_000)).toBe(3_300_000)
    expect(offerRefreshDelayMs(3_600_000, 0)).toBe(3_300_000)
  })
})

describe('RelayIceOffers: a fresh node\'s first dial', () => {
  const RELAY = '/ip4/198.18.0.1/tcp/9090/ws/p2p/12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
  const STUN: IceOffer = { status: IceOffer.Status.OK, servers: [{ urls: ['stun:198.18.0.1:3478'] }], ttlSeconds: 3600, turnAfterSeconds: 0 }

  /** A node reserved on nothing yet; `reserve` makes the reservation, `answer` is the relay's reply to the last ask. */
  function fakeRelayNode (): { node: RelayIceOffersOptions['node'], reserve: () => void, asks: () => number, answer: (offer: IceOffer) => Promise<void> } {
    const addresses: string[] = []
    const relayEnds: Stream[] = []
    const node = {
      getMultiaddrs: () => addresses.map(a => multiaddr(a)),
      dialProtocol: async () => {
        const [asking, relayEnd] = await streamPair()
        relayEnds.push(relayEnd)
        return asking
      }
    } as unknown as RelayIceOffersOptions['node']
    return {
      node,
      reserve: () => { addresses.push(`${RELAY}/p2p-circuit`) },
      asks: () => relayEnds.length,
      answer: async (offer) => { await writeIceOffer(relayEnds.at(-1)!, offer) }
    }
  }

  /** Whether `promise` has settled once the promise jobs queued so far have run (no timer runs meanwhile). */
  async function settled (promise: Promise<unknown>): Promise<boolean> {
    let done = false
    void promise.then(() => { done = true })
    for (let i = 0; i < 10; i++) await Promise.resolve()
    return done
  }

  const offers: RelayIceOffers[] = []
  afterEach(() => { for (const o of offers.splice(0)) o.stop() })

  function makeOffers (node: RelayIceOffersOptions['node'], relays = [RELAY], ice = new IceConfig()): { offers: RelayIceOffers, ice: IceConfig } {
    const made = new RelayIceOffers({ node, relays, ice, changed: () => {}, log: () => {} })
    offers.push(made)
    return { offers: made, ice }
  }

  it('waits for the offer of the relay it just reserved on, and then no more', async () => {
    const relay = fakeRelayNode()
    const { offers, ice } = makeOffers(relay.node)
    // The bound is far off: what ends the wait is the offer.
    const first = offers.serversKnown(60_000)
    relay.reserve()
    offers.addressesChanged()
    await vi.waitFor(() => { expect(relay.asks()).toBe(1) })
    expect(await settled(first)).toBe(false)
    await relay.answer(STUN)
    await first
    expect(ice.view()).toEqual([{ urls: ['stun:198.18.0.1:3478'], source: 'relay', relay: RELAY }])
    expect(await settled(offers.serversKnown(60_000))).toBe(true)
  })

  it('stops waiting when the relay refuses', async () => {
    const relay = fakeRelayNode()
    const { offers, ice } = makeOffers(relay.node)
    const first = offers.serversKnown(60_000)
    relay.reserve()
    offers.addressesChanged()
    await vi.waitFor(() => { expect(relay.asks()).toBe(1) })
    await relay.answer({ status: IceOffer.Status.NO_RESERVATION, servers: [], ttlSeconds: 0, turnAfterSeconds: 0 })
    await first
    expect(ice.view()).toEqual([])
  })

  it('stops waiting when the relay keeper cannot reach the relay', async () => {
    const { offers } = makeOffers(fakeRelayNode().node)
    const first = offers.serversKnown(60_000)
    offers.unreachable('/ip4/198.51.100.9/tcp/1/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
    expect(await settled(first)).toBe(false)
    offers.unreachable(RELAY)
    await first
  })

  it('waits at most its bound, once', async () => {
    vi.useFakeTimers()
    try {
      const { offers } = makeOffers(fakeRelayNode().node)
      const first = offers.serversKnown(2_000)
      await vi.advanceTimersByTimeAsync(1_999)
      expect(await settled(first)).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(await settled(first)).toBe(true)
      // The relay is still silent; the next dial goes at once.
      expect(await settled(offers.serversKnown(2_000))).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('does not wait when WebRTC has servers already, or there is no relay to ask', async () => {
    const ice = new IceConfig()
    ice.setUser([{ urls: 'stun:stun.example.org' }])
    expect(await settled(makeOffers(fakeRelayNode().node, [RELAY], ice).offers.serversKnown(60_000))).toBe(true)
    expect(await settled(makeOffers(fakeRelayNode().node, []).offers.serversKnown(60_000))).toBe(true)
  })
})
