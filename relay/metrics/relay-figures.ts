/**
 * The relay's own figures in Prometheus's registry, read from the counters
 * each room keeps when a scrape asks, so the rooms stay free of prom-client.
 */
import { Counter, Gauge, type Registry } from 'prom-client'

/** Where each figure is read from; a room the relay does not run is left out. */
export interface RelayFigureSources {
  reservations: () => number
  maxReservations: number
  /** Refusals by cause: connection limits, STUN and ICE-offer rates. */
  refusals: () => ReadonlyMap<string, number>
  stun?: Readonly<{ answered: number, ignored: number, limited: number }>
  ice: Readonly<{ offers: number, withTurn: number, noReservation: number, limited: number }>
  mailbox?: {
    counters: Readonly<{ deposits: number, depositedBytes: number, fetched: number, deleted: number, expired: number, notices: number, refused: Readonly<Record<string, number>> }>
    stats: () => { mailboxes: number, envelopes: number, bytes: number }
    maxTotalBytes: number
  }
}

/** Registers every figure the relay keeps on `registry`. */
export function registerRelayFigures (registry: Registry, sources: RelayFigureSources): void {
  const registers = [registry]
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers, collect () { this.set(read()) } })
  }
  const total = (name: string, help: string, read: () => number): void => {
    new Counter({ name, help, registers, collect () { this.reset(); this.inc(read()) } })
  }
  const counter = (name: string, help: string, label: string, read: () => Iterable<[string, number]>): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      collect () {
        this.reset()
        for (const [value, count] of read()) this.inc({ [label]: value }, count)
      }
    })
  }
  gauge('peerlink_relay_reservations', 'Reservations held now.', sources.reservations)
  gauge('peerlink_relay_reservations_limit', 'Reservations the relay holds at most (--max-reservations).', () => sources.maxReservations)
  counter('peerlink_relay_refusals_total', 'Connections and requests refused, by cause.', 'cause', () => sources.refusals())
  const { stun, ice, mailbox } = sources
  if (stun != null) {
    counter('peerlink_relay_stun_requests_total', 'STUN datagrams: answered, limited (over their address\'s rate) or ignored (not a Binding Request).', 'result',
      () => [['answered', stun.answered], ['limited', stun.limited], ['ignored', stun.ignored]])
  }
  counter('peerlink_relay_ice_offers_total', 'ICE offer requests: answered with an offer, no_reservation, or limited (over the peer\'s rate, reset).', 'result',
    () => [['offer', ice.offers], ['no_reservation', ice.noReservation], ['limited', ice.limited]])
  total('peerlink_relay_turn_credentials_total', 'ICE offers that carried TURN credentials.', () => ice.withTurn)
  if (mailbox != null) {
    const { counters } = mailbox
    counter('peerlink_relay_mailbox_operations_total', 'Mailbox work: envelopes deposited, fetched, deleted, expired; notices sent.', 'operation',
      () => [['deposited', counters.deposits], ['fetched', counters.fetched], ['deleted', counters.deleted], ['expired', counters.expired], ['notice', counters.notices]])
    total('peerlink_relay_mailbox_deposited_bytes_total', 'Bytes of envelopes deposited.', () => counters.depositedBytes)
    counter('peerlink_relay_mailbox_refusals_total', 'Mailbox requests refused, by reason.', 'reason', () => Object.entries(counters.refused))
    gauge('peerlink_relay_mailbox_mailboxes', 'Mailboxes kept.', () => mailbox.stats().mailboxes)
    gauge('peerlink_relay_mailbox_envelopes', 'Envelopes waiting.', () => mailbox.stats().envelopes)
    gauge('peerlink_relay_mailbox_bytes', 'Bytes of envelopes waiting.', () => mailbox.stats().bytes)
    gauge('peerlink_relay_mailbox_bytes_limit', 'Bytes of mail the relay holds at most (--mailbox-total-bytes).', () => mailbox.maxTotalBytes)
  }
}
