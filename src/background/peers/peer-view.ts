import type { IceServerView, LastMessage, LinkView, PeerState, PeerView, Status, ClientView } from '../../api/protocol.ts'
import type { SerializedError } from '../../common/errors/index.ts'
import { freshCounters } from '../../common/counters.ts'
import type { NodeInfo, PeerConnectionInfo } from '../../link/apis.ts'
import type { Contact } from './contacts.ts'
import type { ReconnectionView } from './reconnector.ts'
import type { Settings } from '../profile/index.ts'

/**
 * The state a user sees of a peer: a decision of the user or the policy
 * (closed, given up) wins over the wire; waiting for the next attempt is
 * "reconnecting"; otherwise what the node says, or idle.
 */
export function peerState (policy: ReconnectionView, live: PeerConnectionInfo | undefined): PeerState {
  const connected = live?.state === 'connected'
  if (policy.closedBy != null) return 'closed'
  if (policy.gaveUp) return 'given-up'
  if (!connected && policy.nextAttemptAt != null) return 'reconnecting'
  return live?.state ?? 'idle'
}

/** What the worker knows of one peer, gathered for `peerView`. */
export interface PeerFacts {
  contact: Contact
  live: PeerConnectionInfo | undefined
  policy: ReconnectionView
  pending: { messages: number, bytes: number }
  inFlightBytes: number
  unread: number
  /** The peer asked us to hold our messages. */
  paused: boolean
  /** Why the last deposit in its mailbox failed, while it did. */
  mailTrouble?: { error: SerializedError, retryAt: number }
  /** The newest message on Peerlink's own channel. */
  last?: LastMessage
}

/** What a page sees of a contact. */
export function peerView ({ contact, live, policy, pending, inFlightBytes, unread, paused, mailTrouble, last }: PeerFacts, now: number): PeerView {
  const connected = live?.state === 'connected'
  const view: PeerView = {
    peerId: contact.peerId,
    name: contact.name,
    state: peerState(policy, live),
    connection: live?.connection ?? null,
    lastSeen: connected ? now : contact.lastSeen,
    pending,
    dialAttempts: live?.dialAttempts ?? 0,
    bufferedBytes: live?.bufferedBytes ?? 0,
    inFlightBytes,
    unread,
    muted: contact.muted === true,
    rttMs: connected ? live?.rttMs ?? null : null,
    rttHistoryMs: live?.rttHistoryMs ?? [],
    mailbox: mailTrouble == null ? { token: contact.mailboxToken != null } : { token: contact.mailboxToken != null, error: mailTrouble.error, retryAt: mailTrouble.retryAt }
  }
  if (live?.lastError != null) view.lastError = live.lastError
  if (live?.lastClose != null) view.lastClose = live.lastClose
  if (live?.restedAt != null && !connected) view.restedAt = live.restedAt
  if (policy.closedBy != null) view.closedBy = policy.closedBy
  if (paused) view.paused = 'storage-full'
  if (last != null) view.last = last
  if (policy.nextAttemptAt != null && !connected) view.nextAttemptAt = policy.nextAttemptAt
  return view
}

/** What a page sees of Peerlink as a whole; before the node first reports, the settings stand in for it. */
export function statusView (peerId: string, settings: Settings, link: LinkView, info: NodeInfo | undefined, peers: PeerView[], clients: ClientView[] = [], cardToken = ''): Status {
  const status: Status = {
    peerId,
    cardToken,
    node: info?.state ?? 'starting',
    link,
    limits: settings.limits,
    acceptUnknownPeers: settings.acceptUnknownPeers,
    notifications: settings.notifications,
    connections: info?.connections ?? 0,
    requests: info?.requests ?? [],
    counters: info?.counters ?? freshCounters(),
    addresses: info?.addresses ?? [],
    relays: info?.relays ?? settings.relays.map(address => ({ address, state: 'connecting' as const })),
    iceServers: iceServersView(settings, info),
    peers,
    clients
  }
  if (info?.error != null) status.nodeError = info.error
  return status
}

/**
 * The ICE servers in use as a page may see them: what the node reports, or
 * the user's own before it does. Built field by field, so no credential can
 * ride along whatever the node's report holds.
 */
function iceServersView (settings: Settings, info: NodeInfo | undefined): IceServerView[] {
  if (info?.iceServers == null) return settings.iceServers.map(server => ({ urls: [server.urls].flat(), source: 'user' }))
  return info.iceServers.map(({ urls, source, relay }) => relay == null ? { urls: [...urls], source } : { urls: [...urls], source, relay })
}
