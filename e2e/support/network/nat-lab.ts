/**
 * Peerlink across NATs, for the end-to-end tests and the bench: one layout
 * of network namespaces (two homes behind NAT routers, and the internet
 * segment), relays and coturn on the internet segment, and Chromium
 * profiles in the homes with Chromium's default WebRTC settings (host
 * candidates hidden behind mDNS names, as users have them).
 */
import type { Status } from '../../../src/api/protocol.ts'
import type { Route } from '../../../src/common/model.ts'
import { startCoturn, type Coturn } from './coturn.ts'
import { ExtensionProfile } from '../extension-profile.ts'
import { createNetworkLayout, REPO_ROOT, type NatKind, type NetnsLayout } from './netns.ts'
import type { PeerlinkProfile } from '../peerlink-profile.ts'
import { RelayProcess } from '../relay-process.ts'

export interface NatLab {
  readonly layout: NetnsLayout
  /** The internet segment's address, where the relays and coturn listen. */
  readonly host: string
  /** Starts a relay on the internet segment on `port`, with more flags (`--stun-port`, `--turn-url`, …). */
  relay: (port: number, args?: string[]) => Promise<RelayProcess>
  /** Starts coturn on the internet segment (TURN over UDP, REST API credentials with `secret`). */
  coturn: (port: number, secret: string) => Promise<Coturn>
  /** Launches a Chromium profile with Peerlink in home 0 or 1. */
  browser: (home: 0 | 1, name: string) => Promise<ExtensionProfile>
  /** Closes every browser, stops every relay and coturn, removes the namespaces. Safe to call twice. */
  teardown: () => Promise<void>
}

/** Builds a layout whose two homes sit behind `nat` routers; everything started through it ends with `teardown`. */
export async function openNatLab (nat: NatKind): Promise<NatLab> {
  const layout = await createNetworkLayout({ nat })
  const host = layout.internet.address
  const relays: RelayProcess[] = []
  const coturns: Coturn[] = []
  const browsers: ExtensionProfile[] = []
  return {
    layout,
    host,
    relay: async (port, args = []) => {
      const relay = await RelayProcess.start(port, undefined, {
        args: ['--host', host, ...args],
        spawnIn: (command, commandArgs) => layout.spawn(layout.internet.ns, command, commandArgs, { cwd: REPO_ROOT })
      })
      relays.push(relay)
      return relay
    },
    coturn: async (port, secret) => {
      const coturn = await startCoturn({ ip: host, port, secret, spawnIn: (command, args) => layout.spawn(layout.internet.ns, command, args) })
      coturns.push(coturn)
      return coturn
    },
    browser: async (home, name) => {
      const profile = await ExtensionProfile.launch({ name, executablePath: layout.chromiumWrapper(layout.homes[home].ns), mdnsHostNames: true })
      browsers.push(profile)
      return profile
    },
    teardown: async () => {
      await Promise.allSettled(browsers.splice(0).map(async b => { await b.close() }))
      await Promise.allSettled([...relays.splice(0).map(async r => { await r.stop() }), ...coturns.splice(0).map(async c => { await c.stop() })])
      await layout.teardown()
    }
  }
}

/** Waits until the profile uses ICE servers offered by its relay that include `scheme` (`stun` or `turn`). */
export async function waitForRelayOffer (profile: PeerlinkProfile, scheme: 'stun' | 'turn'): Promise<Status> {
  return await profile.waitForStatus(s => s.iceServers.some(i => i.source === 'relay' && i.urls.some(u => u.startsWith(`${scheme}:`))),
    `ICE servers with ${scheme}: from the relay`)
}

/** Waits until the profile's connection to `peerId` takes `route`; fails with the last status. */
export async function waitForRoute (profile: PeerlinkProfile, peerId: string, route: Route, timeoutMs = 60_000): Promise<Status> {
  return await profile.waitForStatus(s => s.peers.find(p => p.peerId === peerId)?.connection?.route === route, `the route to ${peerId} to be ${route}`, timeoutMs)
}

/**
 * Watches a profile's connection to `peerId` until `stop`, from the status
 * events the worker pushes on every change (through an events port, as a
 * page gets them), not by sampling: how many times a stream to it came up,
 * and the routes seen. The worker must keep running meanwhile (its events
 * port closes when it stops).
 */
export async function watchConnection (profile: ExtensionProfile, peerId: string): Promise<{ stop: () => Promise<{ connects: number, routes: Set<string> }> }> {
  const page = await profile.open('popup/popup.html')
  const states: string[] = []
  page.on('console', (message) => {
    const text = message.text()
    if (text.startsWith('peer-state:')) states.push(text.slice('peer-state:'.length))
  })
  await page.evaluate((watched) => {
    const port = chrome.runtime.connect({ name: 'peerlink/events' })
    port.onMessage.addListener((event: { type: string, status?: { peers: Array<{ peerId: string, state: string, connection: { route: string } | null }> } }) => {
      if (event.type !== 'status') return
      const peer = event.status?.peers.find(p => p.peerId === watched)
      console.log(`peer-state:${peer?.state === 'connected' ? peer.connection?.route ?? 'unknown' : 'down'}`)
    })
  }, peerId)
  return {
    stop: async () => {
      // A pushed status may trail the change it reports: the state at the stop counts too.
      const peer = (await profile.status()).peers.find(p => p.peerId === peerId)
      states.push(peer?.state === 'connected' ? peer.connection?.route ?? 'unknown' : 'down')
      await page.close()
      let connects = 0
      const routes = new Set<string>()
      states.forEach((state, i) => {
        if (state === 'down') return
        routes.add(state)
        if (i === 0 || states[i - 1] === 'down') connects++
      })
      return { connects, routes }
    }
  }
}
