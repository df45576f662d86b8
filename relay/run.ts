/**
 * Everything the relay runs, started and stopped together: the circuit-relay
 * node, its STUN responder, its answer on `/peerlink/ice/1.0.0`, and the
 * mailbox (`/peerlink/mailbox/1.0.0`) when it has a data directory.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import type { RelayConfig } from './flags.ts'
import { MailStore, serveMailbox, type MailboxService } from './mailbox/index.ts'
import { reservationStart, serveIceOffers, TurnGrants, type IceOfferConfig } from './ice/index.ts'
import { startRelay, type RelayServices } from './relay.ts'
import { startStunServer, type StunServer } from './stun/index.ts'

export interface RunningRelay {
  node: Libp2p<RelayServices>
  /** The STUN responder, when `stunPort` asked for one. */
  stun?: StunServer
  /** The mailbox, when the relay has a data directory. */
  mailbox?: MailboxService
  /** The lines that say what runs where: `relay: <multiaddr>` first (tests parse it), then `stun:`, `turn:`, `limits:`. */
  describe: () => string[]
  stop: () => Promise<void>
}

/** The mailbox's database, in the data directory. */
export const MAILBOX_FILE = 'mailbox.sqlite'

/** Starts the relay as configured; a failure part-way stops what had started. */
export async function runRelay (config: RelayConfig): Promise<RunningRelay> {
  const stun = config.stunPort === 0 ? undefined : await startStunServer({ host: config.host, port: config.stunPort })
  let node: Libp2p<RelayServices> | undefined
  let store: MailStore | undefined
  let mailbox: MailboxService | undefined
  try {
    if (config.dataDir != null) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
    node = await startRelay(config)
    const relay = node.services.relay
    const ice: IceOfferConfig = {
      stun: stun == null ? undefined : { host: stun.host, port: stun.port },
      turn: config.turn,
      ttlSeconds: config.turnTtlSeconds
    }
    const grants = config.turn == null
      ? undefined
      : new TurnGrants({ secret: config.turn.secret, ttlSeconds: config.turnTtlSeconds, afterSeconds: config.turnAfterSeconds, perHour: config.turnPerHour })
    await serveIceOffers(node, ice, reservationStart(relay, config.reservationTtlSeconds * 1000), grants)
    if (config.dataDir != null && config.mailbox != null) {
      store = MailStore.open(join(config.dataDir, MAILBOX_FILE), config.mailbox)
      mailbox = await serveMailbox(node, { store, depositsPerSecond: config.mailbox.depositsPerSecond, mayRegister: peer => relay.reservations.has(peer) })
    }
  } catch (err) {
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
    describe: () => [
      ...started.getMultiaddrs().map(a => `relay: ${a.toString()}`),
      ...(stun == null ? [] : [`stun: ${stun.host.includes(':') ? `[${stun.host}]` : stun.host}:${stun.port}`]),
      ...(config.turn?.urls ?? []).map(url => `turn: ${url} (credentials valid ${config.turnTtlSeconds} s, after ${config.turnAfterSeconds} s reserved, ${config.turnPerHour} an hour each)`),
      `limits: ${config.maxRelayBytes} bytes, ${config.maxRelaySeconds} s per relayed connection`,
      store == null || limits == null || config.dataDir == null
        ? 'mailbox: none (start with --data-dir to keep mail for users)'
        : `mailbox: ${join(config.dataDir, MAILBOX_FILE)}, ${limits.maxBytesPerRecipient} bytes and ${limits.maxEnvelopesPerRecipient} envelopes per user, ${limits.ttlMs / 86_400_000} days`
    ],
    stop: async () => {
      await mailbox?.stop()
      await started.stop()
      store?.close()
      await stun?.close()
    }
  }
}
