import type { LastMessage, MessageView, PeerView, Status } from '../api/protocol.ts'
import { OWN_CHANNEL } from '../common/client-id.ts'
import { makeCoalescer } from '../common/timing/coalescer.ts'
import { LAST_MESSAGE_CHARS, STATUS_EVENT_DELAY_MS } from '../common/constants.ts'
import type { ApiServer } from './api/index.ts'
import { type Contact, peerView, statusView } from './peers/index.ts'
import type { NodeLink } from './node/index.ts'
import type { Parts } from './parts.ts'

/** Builds what pages see of Peerlink and its peers, and pushes it to them when it changes. */
export class StatusReporter {
  readonly #parts: Parts
  readonly #node: NodeLink
  readonly #api: Pick<ApiServer, 'broadcastStatus'>
  readonly #soon = makeCoalescer(() => { void this.publish() }, STATUS_EVENT_DELAY_MS)
  /**
   * Each conversation's newest message on Peerlink's channel (null: none),
   * read from the store once per worker start and kept by `messageSeen`, so
   * a status costs no read per contact.
   */
  readonly #last = new Map<string, LastMessage | null>()

  constructor (parts: Parts, node: NodeLink, api: Pick<ApiServer, 'broadcastStatus'>) {
    this.#parts = parts
    this.#node = node
    this.#api = api
  }

  async status (): Promise<Status> {
    const { identity, settings, contacts, clients, tokens } = this.#parts
    return statusView(identity.peerId, settings.current, this.#node.view, this.#node.info, await this.#peerViews(await contacts.list()), clients.list(), tokens.card())
  }

  /** One contact's view (for answers about a single peer). */
  async peerView (peerId: string): Promise<PeerView> {
    const [view] = await this.#peerViews([await this.#parts.contacts.get(peerId)])
    return view!
  }

  /** Pushes the status to every page now. */
  async publish (): Promise<void> {
    const status = await this.status().catch(() => undefined)
    if (status != null) this.#api.broadcastStatus(status)
  }

  /** A message was stored or changed state: the newest of its conversation, if it is on Peerlink's channel. */
  messageSeen (message: MessageView): void {
    if (message.channel !== OWN_CHANNEL) return
    const known = this.#last.get(message.peerId)
    // Not read yet: the first status reads it from the store, this message included.
    if (known === undefined) return
    if (known == null || known.id === message.id || message.at >= known.at) {
      const changed = known?.id !== message.id
      this.#last.set(message.peerId, lastMessage(message))
      if (changed) this.soon()
    }
  }

  /** Pushes the status soon: changes within a few milliseconds go out as one event. */
  soon (): void {
    this.#soon()
  }

  /** Views of `contacts`, reading the outbox ledgers and unread counts once for all of them. */
  async #peerViews (contacts: Contact[]): Promise<PeerView[]> {
    const { store, reconnector, outbox, unread, mailSender } = this.#parts
    const pending = await store.pendingByPeer()
    const unreadCounts = await unread.counts()
    for (const { peerId } of contacts) {
      if (this.#last.has(peerId)) continue
      const newest = await store.history.newest(peerId, OWN_CHANNEL)
      // A message seen while this read ran is newer than what it found.
      if (!this.#last.has(peerId)) this.#last.set(peerId, newest == null ? null : lastMessage(newest))
    }
    const now = Date.now()
    return contacts.map(contact => peerView({
      contact,
      live: this.#node.info?.peers[contact.peerId],
      policy: reconnector.view(contact.peerId),
      pending: pending.get(contact.peerId) ?? { messages: 0, bytes: 0 },
      inFlightBytes: outbox.inFlightBytes(contact.peerId),
      unread: unreadCounts[contact.peerId] ?? 0,
      paused: outbox.paused(contact.peerId),
      mailTrouble: mailSender.trouble(contact.peerId),
      last: this.#last.get(contact.peerId) ?? undefined
    }, now))
  }
}

/** What the list of conversations shows of a message. */
function lastMessage ({ id, at, direction, kind, text }: MessageView): LastMessage {
  return { id, at, direction, kind, text: kind === 'text' ? text.slice(0, LAST_MESSAGE_CHARS) : '' }
}
