/**
 * Everything the relay runs, started and stopped together: the circuit-relay
 * node, its STUN responder, its answer on `/peerlink/ice/1.0.0`, and the
 * mailbox (`/peerlink/mailbox/1.0.0`) when it has a data directory.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import type { RelayConfig } from './flags.ts'
import { MailStore, serveMailbox, type MailboxService } from './mailbox/index.ts'
import { reservationStart, serveIceOffers, TurnGrants, type IceOfferConfig } from './ice/index.ts'
import { RefusalLog, registerRelayFigures, startMetricsServer, type MetricsServer } from './metrics/index.ts'
import { readAllowedPeers } from './allowed-peers.ts'
import { startRelay, type RelayServices } from './relay.ts'
import { startStunServer, type StunServer } from './stun/index.ts'

export interface RunningRelay {
  node: Libp2p<RelayServices>
  /** The STUN responder, when `stunPort` asked for one. */
  stun?: StunServer
  /** The mailbox, when the relay has a data directory. */
  mailbox?: MailboxService
  /** `/metrics` and `/healthz`, when a metrics port was asked for. */
  metrics?: MetricsServer
  /** What was refused, by cause (connections per IP, STUN rate). */
  refusals: RefusalLog
  /** The lines that say what runs where: `relay: <multiaddr>` first (tests parse it), then `stun:`, `turn:`, `limits:`. */
  describe: () => string[]
  stop: () => Promise<void>
}

/** The mailbox's database, in the data directory. */
export const MAILBOX_FILE = 'mailbox.sqlite'

/** Starts the relay as configured; a failure part-way stops what had started. */
export async function runRelay (config: RelayConfig, log: (line: string) => void = line => { console.warn(line) }): Promise<RunningRelay> {
  // Read first: a bad list stops the relay before anything listens.
  const allowed = config.allowPeersFile == null ? undefined : await readAllowedPeers(config.allowPeersFile)
  const refusals = new RefusalLog(log)
  const stun = config.stunPort === 0
    ? undefined
    : await startStunServer({ host: config.host, port: config.stunPort, answersPerSecond: config.stunPerSecond, onLimited: ip => { refusals.refuse('stun-rate', ip) } })
  // Its own registry, not prom-client's global one. @libp2p/prometheus-metrics 5.0.24 (dist/src/index.js) clears its
  // module-wide cache of metrics on creation unless told to preserve it; left so, a relay started after another in one
  // process gets fresh metrics in its own registry.
  const registry = config.metrics == null ? undefined : new Registry()
  let node: Libp2p<RelayServices> | undefined
  let store: MailStore | undefined
  let mailbox: MailboxService | undefined
  let metrics: MetricsServer | undefined
  let running = true
  try {
    if (config.dataDir != null) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
    node = await startRelay({
      ...config,
      allowedPeers: allowed,
      onRefused: (cause, detail) => { refusals.refuse(cause, detail) },
      libp2pMetrics: registry == null ? undefined : prometheusMetrics({ registry, statfsLocation: config.dataDir })
    })
    const relay = node.services.relay
    const ice: IceOfferConfig = {
      stun: stun == null ? undefined : { host: stun.host, port: stun.port },
      turn: config.turn,
      ttlSeconds: config.turnTtlSeconds
    }
    const grants = config.turn == null
      ? undefined
      : new TurnGrants({ secret: config.turn.secret, ttlSeconds: config.turnTtlSeconds, afterSeconds: config.turnAfterSeconds, perHour: config.turnPerHour })
    const offers = await serveIceOffers(node, ice, reservationStart(relay, config.reservationTtlSeconds * 1000), grants,
      { perMinute: config.iceOffersPerMinute, onLimited: peer => { refusals.refuse('ice-rate', peer) } })
    if (config.dataDir != null && config.mailbox != null) {
      store = MailStore.open(join(config.dataDir, MAILBOX_FILE), config.mailbox)
      mailbox = await serveMailbox(node, { store, depositsPerSecond: config.mailbox.depositsPerSecond, mayRegister: peer => relay.reservations.has(peer) })
    }
    if (registry != null && config.metrics != null) {
      const kept = store
      registerRelayFigures(registry, {
        reservations: () => relay.reservations.size,
        maxReservations: config.maxReservations,
        refusals: () => refusals.counts(),
        stun: stun?.counters,
        ice: offers,
        mailbox: mailbox == null || kept == null || config.mailbox == null
          ? undefined
          : { counters: mailbox.counters, stats: () => kept.stats(), maxTotalBytes: config.mailbox.maxTotalBytes }
      })
      metrics = await startMetricsServer({ ...config.metrics, registry, healthy: () => running })
    }
  } catch (err) {
    await metrics?.close()
    await node?.stop()
    store?.close()
    await stun?.close()
    throw err
  }
  const started = node
  const limits = config.mailbox
  return {
    node: started,
    stun,
    mailbox,
    metrics,
    refusals,
    describe: () => [
      ...started.getMultiaddrs().map(a => `relay: ${a.toString()}`),
      ...(stun == null ? [] : [`stun: ${stun.host.includes(':') ? `[${stun.host}]` : stun.host}:${stun.port}`]),
      ...(config.turn?.urls ?? []).map(url => `turn: ${url} (credentials valid ${config.turnTtlSeconds} s, after ${config.turnAfterSeconds} s reserved, ${config.turnPerHour} an hour each)`),
      `limits: ${config.maxRelayBytes} bytes, ${config.maxRelaySeconds} s per relayed connection; ${config.maxReservations} reservations, ${config.maxConnections} connections, ${config.maxConnectionsPerIp} per IP address`,
      ...(allowed == null ? [] : [`private: serves only the ${allowed.size} peers in ${config.allowPeersFile ?? ''}`]),
      ...(metrics == null ? [] : [`metrics: http://${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}/metrics (and /healthz)`]),
      store == null || limits == null || config.dataDir == null
        ? 'mailbox: none (start with --data-dir to keep mail for users)'
        : `mailbox: ${join(config.dataDir, MAILBOX_FILE)}, ${limits.maxBytesPerRecipient} bytes and ${limits.maxEnvelopesPerRecipient} envelopes per user, ${limits.ttlMs / 86_400_000} days`
    ],
    stop: async () => {
      // /healthz says 503 while the rest stops.
      running = false
      await mailbox?.stop()
      await started.stop()
      store?.close()
      await stun?.close()
      await metrics?.close()
    }
  }
}
