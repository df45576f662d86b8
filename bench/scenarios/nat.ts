/**
 * Across NATs: two Chromium profiles in two homes behind NAT routers
 * (network namespaces, e2e/support/network/nat-lab.ts), for each route Peerlink can
 * take: direct (cone NATs, STUN from the relay), TURN (symmetric NATs, TURN
 * from the relay) and relay (symmetric NATs, no TURN). Measures the time
 * from addPeer to the first delivered message, and send → delivered.
 * Needs root; elsewhere it says so in one line and measures nothing.
 *
 * Runs inside `npm run bench`, or alone: `tsx bench/scenarios/nat.ts` (figures printed
 * and merged into bench/results.json).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Route } from '../../src/common/model.ts'
import type { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import { openNatLab, waitForRelayOffer, waitForRoute, type NatLab } from '../../e2e/support/network/nat-lab.ts'
import { netnsSupport, type NatKind } from '../../e2e/support/network/netns.ts'
import type { RelayProcess } from '../../e2e/support/relay-process.ts'
import { allowNamedFunctions, timedSends } from '../measure.ts'
import { median, percentile } from '../stats.ts'

type RecordFigure = (key: string, name: string, unit: string, runs: number[]) => void

const TURN_SECRET = 'bench-turn-secret'
/** The targets: the first message through NAT within 2 s, the relay route's p50 within twice the direct one's. */
const FIRST_MESSAGE_TARGET_MS = 2_000
const RELAY_P50_TARGET_RATIO = 2
const SENDS = 200

interface RouteSetup {
  route: Route
  nat: NatKind
  /** Starts what the route needs on the lab's internet segment; answers the relay the browsers use. */
  start: (lab: NatLab) => Promise<RelayProcess>
  offer: 'stun' | 'turn'
}

const ROUTES: RouteSetup[] = [
  { route: 'direct', nat: 'cone', offer: 'stun', start: async lab => await lab.relay(9090, ['--stun-port', '3478']) },
  {
    route: 'turn',
    nat: 'symmetric',
    offer: 'turn',
    start: async (lab) => {
      const coturn = await lab.coturn(3479, TURN_SECRET)
      return await lab.relay(9090, ['--stun-port', '3478', '--turn-url', coturn.url, '--turn-secret', TURN_SECRET])
    }
  },
  { route: 'relay', nat: 'symmetric', offer: 'stun', start: async lab => await lab.relay(9091, ['--stun-port', '3480']) }
]

/** Alice in home 0, Bob in home 1, both reserved on `relay` with its ICE servers in use, not yet each other's contacts. */
async function twoHomes (lab: NatLab, relay: RelayProcess, offer: 'stun' | 'turn'): Promise<{ alice: ExtensionProfile, bob: ExtensionProfile, aliceId: string, bobId: string }> {
  const [alice, bob] = await Promise.all([lab.browser(0, 'alice'), lab.browser(1, 'bob')])
  await Promise.all([alice.useRelay(relay.address), bob.useRelay(relay.address)])
  await Promise.all([waitForRelayOffer(alice, offer), waitForRelayOffer(bob, offer)])
  return { alice, bob, aliceId: (await alice.status()).peerId!, bobId: (await bob.status()).peerId! }
}

/** Measures every route, `runs` first messages each; answers the target ratios (empty when skipped). */
export async function benchNat (record: RecordFigure, runs: number): Promise<Record<string, number>> {
  const support = netnsSupport()
  if (!support.ok) {
    console.log(`  skipped: ${support.reason} (the NAT section runs as root)`)
    return {}
  }
  const p50 = new Map<Route, number>()
  const first = new Map<Route, number>()
  for (const setup of ROUTES) {
    const lab = await openNatLab(setup.nat)
    try {
      const relay = await setup.start(lab)
      const firstMs: number[] = []
      let last: Awaited<ReturnType<typeof twoHomes>> | undefined
      for (let i = 0; i < runs; i++) {
        if (last != null) await Promise.all([last.alice.close(), last.bob.close()])
        last = await twoHomes(lab, relay, setup.offer)
        const { alice, bob, aliceId, bobId } = last
        const started = performance.now()
        await Promise.all([alice.api({ method: 'addPeer', peerId: bobId, name: 'Bob' }), bob.api({ method: 'addPeer', peerId: aliceId, name: 'Alice' })])
        const sent = await alice.api({ method: 'send', peerId: bobId, text: 'first through the NATs', awaitDelivery: true })
        if (sent.state !== 'delivered') throw new Error(`${setup.route}: the first message was still ${sent.state} after 30 s`)
        firstMs.push(performance.now() - started)
      }
      const { alice, bobId } = last!
      await waitForRoute(alice, bobId, setup.route)
      const page = await alice.open('options/options.html')
      await allowNamedFunctions(page)
      const times = await page.evaluate(timedSends, { peerId: bobId, count: SENDS })
      const route = (await alice.status()).peers.find(p => p.peerId === bobId)?.connection?.route
      if (route !== setup.route) throw new Error(`the ${setup.route} route became ${route} while measuring`)
      record(`nat.${setup.route}.first`, `${setup.route} route: addPeer → first message delivered`, 'ms', firstMs)
      record(`nat.${setup.route}.latency.p50`, `${setup.route} route: send → delivered, 100 B, p50 (${SENDS} sequential)`, 'ms', [percentile(times, 0.5)])
      record(`nat.${setup.route}.latency.p99`, `${setup.route} route: send → delivered, 100 B, p99 (${SENDS} sequential)`, 'ms', [percentile(times, 0.99)])
      first.set(setup.route, median(firstMs))
      p50.set(setup.route, percentile(times, 0.5))
    } finally {
      await lab.teardown()
    }
  }
  // Under 1 meets the target.
  return {
    'first message, direct route / 2 s target': first.get('direct')! / FIRST_MESSAGE_TARGET_MS,
    'first message, TURN route / 2 s target': first.get('turn')! / FIRST_MESSAGE_TARGET_MS,
    'first message, relay route / 2 s target': first.get('relay')! / FIRST_MESSAGE_TARGET_MS,
    'relay p50 / direct p50, over the 2× target': p50.get('relay')! / p50.get('direct')! / RELAY_P50_TARGET_RATIO
  }
}

// Alone: `tsx bench/scenarios/nat.ts` measures this section and merges it into bench/results.json.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures: Array<{ key: string, name: string, unit: string, median: number, runs: number[] }> = []
  console.log('Across NATs')
  const ratios = await benchNat((key, name, unit, values) => {
    figures.push({ key, name, unit, median: median(values), runs: values })
    console.log(`  ${name.padEnd(60)} ${median(values).toFixed(2).padStart(10)} ${unit}   (${values.map(r => r.toFixed(1)).join(', ')})`)
  }, 3)
  for (const [name, value] of Object.entries(ratios)) console.log(`  ${name.padEnd(60)} ${value.toFixed(2).padStart(10)}`)
  if (figures.length > 0) {
    const path = new URL('../results.json', import.meta.url)
    const results = (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : { date: new Date().toISOString(), figures: [], ratios: {} }) as
      { figures: typeof figures, ratios: Record<string, number> }
    results.figures = [...results.figures.filter(f => !f.key.startsWith('nat.')), ...figures]
    results.ratios = { ...results.ratios, ...ratios }
    writeFileSync(path, JSON.stringify(results, null, 2) + '\n')
    console.log('merged into bench/results.json')
  }
}
