/**
 * Peerlink across real networks: two Chromium profiles in two homes behind
 * NAT routers (network namespaces), the relay and coturn on an "internet"
 * segment, Chromium's default WebRTC settings. Needs root (and ip,
 * iptables, coturn); elsewhere the suite is skipped with the reason, and
 * in CI (which has all of it) it fails with that reason instead.
 * One layout per kind of NAT serves its scenarios; everything it started
 * is removed at the end, on failure too.
 */
import type { MessageView } from '../src/api/protocol.ts'
import { pairUp } from './fixtures.ts'
import { expect, test } from '@playwright/test'
import { numbered, sendNumbered, waitForAll } from './support/exchange.ts'
import type { ExtensionProfile } from './support/extension-profile.ts'
import { openNatLab, waitForRelayOffer, waitForRoute, watchConnection, type NatLab } from './support/network/nat-lab.ts'
import { netnsSupport } from './support/network/netns.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'
import { prerequisite } from './support/prerequisite.ts'
import type { RelayProcess } from './support/relay-process.ts'

const support = netnsSupport()
const needs = prerequisite('e2e/nat.spec.ts', support.ok ? support : { ok: false, reason: `${support.reason} (the NAT suite needs root, network namespaces, iptables and coturn, as CI has)` })
const EXCHANGE = 200
const TURN_SECRET = 'nat-spec-turn-secret'
/** Low enough that 200 messages each way need several relayed connections (identify, Noise and signalling count too). */
const SMALL_RELAY_BYTES = 16 * 1024

/** Sends one message and waits until it is delivered; answers how long that took. */
async function deliver (from: PeerlinkProfile, peerId: string, text: string, timeoutMs = 90_000): Promise<number> {
  const started = Date.now()
  const sent = await from.api({ method: 'send', peerId, text, awaitDelivery: true })
  let message: MessageView | undefined
  while (sent.state !== 'delivered' && message?.state !== 'delivered') {
    if (Date.now() - started > timeoutMs) throw new Error(`${from.name}: "${text}" not delivered within ${timeoutMs} ms (${message?.state ?? sent.state})`)
    message = await from.api({ method: 'awaitDelivery', id: sent.id, timeoutMs: 10_000 })
  }
  return Date.now() - started
}

/**
 * How many dials `from` needed before its first message to `peerId` was delivered: "promptly" means
 * the first dial did it (its WebRTC attempt, and the relayed one that follows its head start), not a
 * backoff and a dial again. Counted, not timed.
 */
async function expectDeliveredOnFirstDial (from: PeerlinkProfile, peerId: string): Promise<void> {
  const dials = (await from.status()).peers.find(p => p.peerId === peerId)?.dialAttempts
  expect(dials, `${from.name}'s dial attempts before the first message was delivered`).toBeGreaterThanOrEqual(1)
  expect(dials, `${from.name}'s dial attempts before the first message was delivered`).toBeLessThanOrEqual(2)
}

/** The circuit address through its relay that a profile can be reached at. */
async function circuitAddress (profile: PeerlinkProfile): Promise<string> {
  const status = await profile.waitForStatus(s => s.addresses.some(a => a.includes('/p2p-circuit/p2p/')), 'a circuit address')
  return status.addresses.find(a => a.includes('/p2p-circuit/p2p/'))!
}

/** `count` numbered messages each way at once; checks each arrived exactly once, in order, and nothing is left queued. */
async function exchangeBothWays (alice: ExtensionProfile, bob: ExtensionProfile, aliceId: string, bobId: string, count: number, timeoutMs: number): Promise<void> {
  const started = Date.now()
  await Promise.all([sendNumbered(alice, bobId, 'a', count), sendNumbered(bob, aliceId, 'b', count)])
  const [atBob, atAlice] = await Promise.all([waitForAll(alice, bob, count, timeoutMs), waitForAll(bob, alice, count, timeoutMs)])
  const ours = (prefix: string) => (text: string) => text.startsWith(`${prefix}-`)
  console.log(`  ${count} each way in ${Date.now() - started} ms`)
  expect(atBob.received.filter(ours('a'))).toEqual(numbered('a', count))
  expect(atAlice.received.filter(ours('b'))).toEqual(numbered('b', count))
  expect(atBob.pending).toBe(0)
  expect(atAlice.pending).toBe(0)
}

/** Launches Alice in home 0 and Bob in home 1, each reserved on `relay` and the other's contact. */
async function pairOn (lab: NatLab, relay: RelayProcess): Promise<{ alice: ExtensionProfile, bob: ExtensionProfile, aliceId: string, bobId: string }> {
  const [alice, bob] = await Promise.all([lab.browser(0, 'alice'), lab.browser(1, 'bob')])
  const [aliceId, bobId] = await pairUp(relay, alice, bob, ['Alice', 'Bob'])
  return { alice, bob, aliceId, bobId }
}

test.describe('across NATs', () => {
  test.skip(needs.skip, needs.reason)
  test.beforeAll(needs.assert)

  test.describe('cone NATs', () => {
    let lab: NatLab
    let relay: RelayProcess

    test.beforeAll(async () => {
      lab = await openNatLab('cone')
      relay = await lab.relay(9090, ['--stun-port', '3478'])
    })
    test.afterAll(async () => { await lab?.teardown() })

    test('with STUN from the relay: a direct route, the first message promptly delivered, 200 each way exactly once and in order', async () => {
      test.setTimeout(180_000)
      const { alice, bob, aliceId, bobId } = await pairOn(lab, relay)
      try {
        await Promise.all([waitForRelayOffer(alice, 'stun'), waitForRelayOffer(bob, 'stun')])
        const firstMs = await deliver(alice, bobId, 'first through the NATs')
        console.log(`cone NAT, STUN: first message delivered in ${firstMs} ms`)
        await expectDeliveredOnFirstDial(alice, bobId)
        // The options page's Check, with the relay's STUN: the NAT gives a server-reflexive address.
        const options = await alice.open('options/options.html')
        await options.locator('#connectivity').getByRole('button', { name: 'Check' }).click()
        await expect(options.locator('#ice-check-result')).toHaveText('This browser can reach peers through NAT via STUN.', { timeout: 30_000 })
        await options.close()
        await Promise.all([waitForRoute(alice, bobId, 'direct'), waitForRoute(bob, aliceId, 'direct')])
        await exchangeBothWays(alice, bob, aliceId, bobId, EXCHANGE, 90_000)
        for (const [profile, peerId] of [[alice, bobId], [bob, aliceId]] as const) {
          const peer = (await profile.status()).peers.find(p => p.peerId === peerId)
          expect(peer?.connection).toMatchObject({ transport: 'webrtc', route: 'direct', direct: true })
        }
      } finally {
        await Promise.all([alice.close(), bob.close()])
      }
    })

    test('Alice and Bob on different relays reach each other through the relay the other gave its address on', async () => {
      test.setTimeout(180_000)
      const other = await lab.relay(9091, ['--stun-port', '3479'])
      const [alice, bob] = await Promise.all([lab.browser(0, 'alice'), lab.browser(1, 'bob')])
      try {
        await Promise.all([alice.useRelay(relay.address), bob.useRelay(other.address)])
        const [aliceId, bobId] = [(await alice.status()).peerId!, (await bob.status()).peerId!]
        const [aliceAt, bobAt] = await Promise.all([circuitAddress(alice), circuitAddress(bob)])
        expect(aliceAt).toContain(relay.address)
        expect(bobAt).toContain(other.address)
        await alice.api({ method: 'addPeer', peerId: bobId, name: 'Bob', addresses: [bobAt] })
        await bob.api({ method: 'addPeer', peerId: aliceId, name: 'Alice', addresses: [aliceAt] })
        await Promise.all([waitForRelayOffer(alice, 'stun'), waitForRelayOffer(bob, 'stun')])
        console.log(`different relays: Alice → Bob first message delivered in ${await deliver(alice, bobId, 'hello from relay one')} ms`)
        console.log(`different relays: Bob → Alice first message delivered in ${await deliver(bob, aliceId, 'hello from relay two')} ms`)
        await Promise.all([waitForRoute(alice, bobId, 'direct'), waitForRoute(bob, aliceId, 'direct')])
        await exchangeBothWays(alice, bob, aliceId, bobId, 20, 60_000)
      } finally {
        await Promise.all([alice.close(), bob.close()])
        await other.stop()
      }
    })

    test('a fresh profile\'s first message takes the direct route, not the relay: its first dial waits for its relay\'s ICE offer', async () => {
      test.setTimeout(120_000)
      const [alice, carol] = await Promise.all([lab.browser(0, 'alice'), lab.browser(1, 'carol')])
      try {
        await alice.useRelay(relay.address)
        await waitForRelayOffer(alice, 'stun')
        const carolStatus = await carol.waitForStatus(s => s.node === 'running', 'the node')
        const [aliceId, carolId] = [(await alice.status()).peerId!, carolStatus.peerId!]
        await alice.api({ method: 'addPeer', peerId: carolId, name: 'Carol' })
        const watch = await watchConnection(carol, aliceId)
        // Carol takes Alice's relay from her address and sends at once: her node reserves on it while her first dial starts.
        await carol.api({ method: 'addPeer', peerId: aliceId, name: 'Alice', addresses: [await circuitAddress(alice)] })
        await deliver(carol, aliceId, 'first from a fresh profile')
        const atDelivery = (await carol.status()).peers.find(p => p.peerId === aliceId)?.connection
        const { connects, routes } = await watch.stop()
        expect(atDelivery).toMatchObject({ transport: 'webrtc', route: 'direct' })
        expect([...routes]).toEqual(['direct'])
        expect(connects).toBe(1)
      } finally {
        await Promise.all([alice.close(), carol.close()])
      }
    })

    test('a relay with only a WebRTC-direct address on the internet segment: browsers in both homes reserve on it and message; restarted, its printed address still works', async () => {
      test.setTimeout(180_000)
      // No WebSocket, no domain, no certificate: what an operator with a bare server and its IP address can run.
      const bare = await lab.relay(0, ['--port', 'off', '--webrtc-port', '9092', '--stun-port', '3480'])
      const [alice, bob] = await Promise.all([lab.browser(0, 'alice'), lab.browser(1, 'bob')])
      let carol: ExtensionProfile | undefined
      try {
        expect(bare.addresses).toEqual([bare.address])
        expect(bare.address).toContain(`/ip4/${lab.host}/udp/9092/webrtc-direct/certhash/`)
        const [aliceId, bobId] = await pairUp(bare, alice, bob, ['Alice', 'Bob'])
        console.log(`WebRTC-direct relay: first message delivered in ${await deliver(alice, bobId, 'through a relay on a bare IP address')} ms`)
        const before = bare.address
        await bare.restart()
        expect(bare.address).toBe(before)
        // A browser that never saw the relay reserves at the address it was given before the restart, and reaches Alice through it.
        carol = await lab.browser(1, 'carol')
        const [, carolId] = await pairUp(bare, alice, carol, ['Alice', 'Carol'])
        await deliver(carol, aliceId, 'Carol, through the restarted relay')
        expect((await alice.messages(carolId)).map(m => [m.direction, m.text])).toEqual([['in', 'Carol, through the restarted relay']])
        expect((await bob.messages(aliceId)).map(m => [m.direction, m.text])).toEqual([['in', 'through a relay on a bare IP address']])
      } finally {
        await Promise.all([alice.close(), bob.close(), carol?.close()])
        await bare.stop()
      }
    })

    test('a fresh profile with no relay adds a contact with its addresses and messages at once', async () => {
      test.setTimeout(120_000)
      const [alice, carol] = await Promise.all([lab.browser(0, 'alice'), lab.browser(1, 'carol')])
      try {
        await alice.useRelay(relay.address)
        const carolStatus = await carol.waitForStatus(s => s.node === 'running', 'the node')
        expect(carolStatus.relays).toEqual([])
        const [aliceId, carolId] = [(await alice.status()).peerId!, carolStatus.peerId!]
        await alice.api({ method: 'addPeer', peerId: carolId, name: 'Carol' })
        const added = Date.now()
        await carol.api({ method: 'addPeer', peerId: aliceId, name: 'Alice', addresses: [await circuitAddress(alice)] })
        const ms = await deliver(carol, aliceId, 'hello from a newcomer')
        console.log(`newcomer: addPeer → first message delivered in ${Date.now() - added} ms (send → delivered ${ms} ms)`)
        // At once: Carol's first dial, with the address she was given, reached Alice.
        await expectDeliveredOnFirstDial(carol, aliceId)
        await deliver(alice, carolId, 'welcome, Carol')
        expect((await carol.messages(aliceId)).map(m => [m.direction, m.text])).toEqual([['out', 'hello from a newcomer'], ['in', 'welcome, Carol']])
        expect((await alice.messages(carolId)).map(m => [m.direction, m.text])).toEqual([['in', 'hello from a newcomer'], ['out', 'welcome, Carol']])
      } finally {
        await Promise.all([alice.close(), carol.close()])
      }
    })
  })

  test.describe('symmetric NATs', () => {
    let lab: NatLab
    /** Offers STUN and TURN (coturn beside it). */
    let turnRelay: RelayProcess
    /** Offers STUN only, and bounds each relayed connection to a few KiB. */
    let plainRelay: RelayProcess

    test.beforeAll(async () => {
      lab = await openNatLab('symmetric')
      const coturn = await lab.coturn(3479, TURN_SECRET)
      turnRelay = await lab.relay(9090, ['--stun-port', '3478', '--turn-url', coturn.url, '--turn-secret', TURN_SECRET])
      plainRelay = await lab.relay(9092, ['--stun-port', '3480', '--max-relay-bytes', String(SMALL_RELAY_BYTES)])
    })
    test.afterAll(async () => { await lab?.teardown() })

    test('with TURN from the relay: a TURN route, the first message promptly delivered, 200 each way exactly once and in order', async () => {
      test.setTimeout(180_000)
      const { alice, bob, aliceId, bobId } = await pairOn(lab, turnRelay)
      try {
        await Promise.all([waitForRelayOffer(alice, 'turn'), waitForRelayOffer(bob, 'turn')])
        const firstMs = await deliver(alice, bobId, 'first through TURN')
        console.log(`symmetric NAT, TURN: first message delivered in ${firstMs} ms`)
        await expectDeliveredOnFirstDial(alice, bobId)
        await Promise.all([waitForRoute(alice, bobId, 'turn'), waitForRoute(bob, aliceId, 'turn')])
        await exchangeBothWays(alice, bob, aliceId, bobId, EXCHANGE, 90_000)
        for (const [profile, peerId] of [[alice, bobId], [bob, aliceId]] as const) {
          const peer = (await profile.status()).peers.find(p => p.peerId === peerId)
          expect(peer?.connection).toMatchObject({ transport: 'webrtc', route: 'turn', direct: false })
        }
      } finally {
        await Promise.all([alice.close(), bob.close()])
      }
    })

    test('without TURN: the relay carries the messages, 200 each way across several relayed connections, nothing lost or duplicated', async () => {
      test.setTimeout(240_000)
      const { alice, bob, aliceId, bobId } = await pairOn(lab, plainRelay)
      try {
        await Promise.all([waitForRelayOffer(alice, 'stun'), waitForRelayOffer(bob, 'stun')])
        const watch = await watchConnection(alice, bobId)
        const firstMs = await deliver(alice, bobId, 'first through the relay')
        console.log(`symmetric NAT, no TURN: first message delivered in ${firstMs} ms`)
        await waitForRoute(alice, bobId, 'relay')
        const dialsBefore = (await alice.status()).peers[0]!.dialAttempts
        await exchangeBothWays(alice, bob, aliceId, bobId, EXCHANGE, 180_000)
        const { connects, routes } = await watch.stop()
        const peer = (await alice.status()).peers[0]!
        console.log(`  Alice saw ${connects} relayed connections to Bob come up (${peer.dialAttempts - dialsBefore} dial attempts); routes seen: ${[...routes].join(', ')}; last close: ${peer.lastClose ?? 'none'}`)
        expect([...routes]).toEqual(['relay'])
        expect(connects).toBeGreaterThanOrEqual(3)
      } finally {
        await Promise.all([alice.close(), bob.close()])
      }
    })

    test('the relay restarts while the contacts are relayed: every message arrives once, in order', async () => {
      test.setTimeout(240_000)
      const { alice, bob, aliceId, bobId } = await pairOn(lab, plainRelay)
      try {
        await deliver(alice, bobId, 'before the restart')
        await waitForRoute(alice, bobId, 'relay')
        const count = 60
        let restarted = false
        const restartAt = async (sent: number): Promise<void> => {
          if (sent !== count / 2) return
          await plainRelay.restart()
          restarted = true
        }
        await Promise.all([sendNumbered(alice, bobId, 'a', count, restartAt), sendNumbered(bob, aliceId, 'b', count)])
        const [atBob, atAlice] = await Promise.all([waitForAll(alice, bob, count, 150_000), waitForAll(bob, alice, count, 150_000)])
        expect(restarted).toBe(true)
        expect(atBob.received.filter(t => t.startsWith('a-'))).toEqual(numbered('a', count))
        expect(atAlice.received.filter(t => t.startsWith('b-'))).toEqual(numbered('b', count))
        expect([atBob.pending, atAlice.pending]).toEqual([0, 0])
        await waitForRoute(alice, bobId, 'relay')
      } finally {
        await Promise.all([alice.close(), bob.close()])
      }
    })
  })
})
