/**
 * Everything the relay runs, started and stopped together: the circuit-relay
 * node, its STUN responder, and its answer on `/peerlink/ice/1.0.0`.
 */
import type { Libp2p } from '@libp2p/interface'
import type { RelayConfig } from './flags.ts'
import { serveIceOffers, type IceOfferConfig } from './ice-offers.ts'
import { startRelay, type RelayServices } from './relay.ts'
import { startStunServer, type StunServer } from './stun-server.ts'

export interface RunningRelay {
  node: Libp2p<RelayServices>
  /** The STUN responder, when `stunPort` asked for one. */
  stun?: StunServer
  /** The lines that say what runs where: `relay: <multiaddr>` first (tests parse it), then `stun:`, `turn:`, `limits:`. */
  describe: () => string[]
  stop: () => Promise<void>
}

/** Starts the relay as configured; a failure part-way stops what had started. */
export async function runRelay (config: RelayConfig): Promise<RunningRelay> {
  const stun = config.stunPort === 0 ? undefined : await startStunServer({ host: config.host, port: config.stunPort })
  let node: Libp2p<RelayServices> | undefined
  try {
    node = await startRelay(config)
    const relay = node.services.relay
    const ice: IceOfferConfig = {
      stun: stun == null ? undefined : { host: stun.host, port: stun.port },
      turn: config.turn,
      ttlSeconds: config.turnTtlSeconds
    }
    await serveIceOffers(node, ice, peer => (relay.reservations.get(peer)?.expiry.getTime() ?? 0) > Date.now())
  } catch (err) {
    await node?.stop()
    await stun?.close()
    throw err
  }
  const started = node
  return {
    node: started,
    stun,
    describe: () => [
      ...started.getMultiaddrs().map(a => `relay: ${a.toString()}`),
      ...(stun == null ? [] : [`stun: ${stun.host.includes(':') ? `[${stun.host}]` : stun.host}:${stun.port}`]),
      ...(config.turn?.urls ?? []).map(url => `turn: ${url} (credentials valid ${config.turnTtlSeconds} s)`),
      `limits: ${config.maxRelayBytes} bytes, ${config.maxRelaySeconds} s per relayed connection`
    ],
    stop: async () => {
      await started.stop()
      await stun?.close()
    }
  }
}
