/**
 * The node's mailbox work: it registers our mailbox (the tokens we handed
 * out) on every relay we are reserved on, fetches our mail there when a
 * reservation comes up, when a relay says mail arrived and when asked, hands
 * it to the worker opened and in order, and deletes it at the relay only once
 * the worker has committed it. It also seals and deposits mail for a contact
 * on up to two of the contact's relays.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { MAIL_FETCH_RESPONSE_BYTES, MAILBOX_CALL_TIMEOUT_MS, MAILBOX_COPIES, DEFAULT_MAIL_ENVELOPE_BYTES } from '../../common/constants.ts'
import type { Hello } from '../../common/wire/frames.ts'
import { MailboxRefusedError, serializeError, type SerializedError } from '../../common/errors/index.ts'
import type { Counters, MailboxView } from '../../common/model.ts'
import { callMailbox, MAIL_NOTICE_PROTOCOL, MailboxRequest, readMailNotice, type MailboxResponse } from '../../common/wire/mailbox-protocol.ts'
import type { ConversationHello, DepositOutcome, MailIn, OutgoingMail, WorkerApi } from '../../link/apis.ts'
import { decodeMailboxToken } from '../../common/wire/mailbox-token.ts'
import { usablePeerAddresses } from '../../common/validators.ts'
import { relayOf, relayPeerId } from '../reach/index.ts'
import { MailUnreadableError, packEnvelopes, readMail } from './mail-envelopes.ts'
import { MailRejectedError, openMail, sealMail, type MailKeys } from './mail-seal.ts'

export interface MailCourierOptions {
  node: Libp2p
  keys: MailKeys
  /** Our relays' addresses, as the user configured them. */
  relays: string[]
  /** SHA-256 of every token we hand out. */
  tokenHashes: Uint8Array[]
  sink: Pick<WorkerApi, 'mailArrived' | 'unknownPeerAccepted'>
  /** Whether mail from this peer is taken (a contact, or anyone when the user accepts anyone). */
  isContact: (peerId: string) => boolean
  acceptUnknownPeers: () => boolean
  /** Mail came from someone who is not a contact (it holds our card): a request for the user. */
  request: (peerId: string) => void
  /** Our HELLO as a stream would say it, from the conversation's part. */
  hello: (conversation: ConversationHello) => Hello
  counters: Counters
  changed: () => void
  log: (format: string, ...args: unknown[]) => void
  now?: () => number
}

/** What we know of one relay's mailbox for us. */
interface RelayMailbox {
  address: string
  peerId: PeerId
  view: MailboxView
  /** The largest envelope it takes (from its answers). */
  maxEnvelopeBytes: number
}

/** Mailbox requests to relays, sealing and opening: the network side of offline delivery. */
export class MailCourier {
  readonly #o: MailCourierOptions
  readonly #ours: RelayMailbox[]
  /** Envelope limits of contacts' relays, learned from their answers. */
  readonly #limits = new Map<string, number>()
  #tokenHashes: Array<Uint8Array<ArrayBuffer>>
  #reserved = new Set<string>()
  /** Collections run one at a time (so one sender's mail is applied in order); one more runs if asked meanwhile. */
  #collecting: Promise<void> | undefined
  #again = new Set<string>()
  /** Strangers the user refused: their mail is deleted unread. */
  readonly #refused = new Set<string>()
  #stopped = false

  constructor (options: MailCourierOptions) {
    this.#o = options
    this.#tokenHashes = options.tokenHashes.map(h => new Uint8Array(h))
    this.#ours = options.relays.map(address => ({
      address,
      peerId: peerIdFromString(relayPeerId(address)),
      view: { state: 'unknown' },
      maxEnvelopeBytes: DEFAULT_MAIL_ENVELOPE_BYTES
    }))
  }

  /** Starts answering relays' notices. */
  async start (): Promise<void> {
    await this.#o.node.handle(MAIL_NOTICE_PROTOCOL, async (stream, connection) => {
      const relay = this.#ours.find(r => r.peerId.equals(connection.remotePeer))
      try {
        await readMailNotice(stream, { signal: AbortSignal.timeout(MAILBOX_CALL_TIMEOUT_MS) })
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        return
      }
      // Only a relay of ours has mail for us; anyone else's notice is ignored.
      if (relay != null) this.#collect([relay.peerId.toString()])
    })
  }

  stop (): void {
    this.#stopped = true
  }

  /** Our addresses changed: a relay that reserved us since gets our tokens, and we fetch what waits there. */
  addressesChanged (ownAddresses: string[]): void {
    const reserved = new Set(this.#ours.filter(r => ownAddresses.some(a => a.includes(`/p2p/${r.peerId.toString()}/p2p-circuit`))).map(r => r.peerId.toString()))
    const fresh = [...reserved].filter(id => !this.#reserved.has(id))
    this.#reserved = reserved
    if (fresh.length > 0) this.#collect(fresh)
  }

  /** The tokens we hand out changed: every relay we are reserved on hears the new set. */
  tokensChanged (tokenHashes: Uint8Array[]): void {
    this.#tokenHashes = tokenHashes.map(h => new Uint8Array(h))
    this.#collect([...this.#reserved])
  }

  /** The user refused the stranger's request: what it left us goes, unread. */
  refused (peerId: string): void {
    this.#refused.add(peerId)
    this.#collect([...this.#reserved])
  }

  /** Fetches from every relay we are reserved on; resolves when that is done. */
  async fetchAll (): Promise<void> {
    this.#collect([...this.#reserved])
    while (this.#collecting != null) await this.#collecting
  }

  /** The mailbox each of our relays keeps for us, as the options page shows it. */
  view (relayAddress: string): MailboxView | undefined {
    return this.#ours.find(r => r.address === relayAddress)?.view
  }

  /**
   * Seals the mail for `peerId` and deposits every envelope on up to
   * MAILBOX_COPIES of its relays, at once; a relay holds the deposit only if
   * it took every envelope (each answer comes once it is on disk).
   */
  async deposit (peerId: string, mail: OutgoingMail): Promise<DepositOutcome> {
    const relays = [...new Set(mail.addresses.map(relayOf).filter((r): r is string => r != null))].slice(0, MAILBOX_COPIES)
    if (relays.length === 0) return { stored: [], refusals: [serializeError(new MailboxRefusedError('none', 'no-mailbox', 0, 0, `${peerId} named no relay`))] }
    const token = decodeMailboxToken(mail.token) as Uint8Array<ArrayBuffer>
    const hello = this.#o.hello(mail.hello)
    const results = await Promise.all(relays.map(async (address) => {
      const relay = relayPeerId(address)
      try {
        for (const frames of packEnvelopes(hello, mail.messages, this.#limits.get(relay) ?? DEFAULT_MAIL_ENVELOPE_BYTES, relay)) {
          const envelope = await sealMail(this.#o.keys, peerId, relay, { id: crypto.getRandomValues(new Uint8Array(16)), sentAt: mail.sentAt, seenSentAt: mail.seenSentAt, frames: frames as Array<Uint8Array<ArrayBuffer>> })
          const answer = await this.#call(multiaddr(address), relay, { type: MailboxRequest.Type.DEPOSIT, recipient: peerId, token, envelope: envelope as Uint8Array<ArrayBuffer> })
          this.#limits.set(relay, answer.maxEnvelopeBytes)
        }
        return { relay }
      } catch (err) {
        if (err instanceof MailboxRefusedError && err.data.reason === 'envelope-too-large') this.#limits.set(relay, err.data.limit)
        this.#o.log('mail for %s not left at %s: %s', peerId, relay, (err as Error).message)
        return { relay, error: serializeError(err) }
      }
    }))
    return {
      stored: results.filter(r => r.error == null).map(r => r.relay),
      refusals: results.map(r => r.error).filter((e): e is SerializedError => e != null)
    }
  }

  #collect (relays: string[]): void {
    if (this.#stopped) return
    for (const relay of relays) this.#again.add(relay)
    if (this.#collecting != null) return
    this.#collecting = (async () => {
      while (this.#again.size > 0 && !this.#stopped) {
        const next = [...this.#again]
        this.#again.clear()
        for (const id of next) {
          const relay = this.#ours.find(r => r.peerId.toString() === id)
          if (relay != null) await this.#collectFrom(relay)
        }
      }
    })().finally(() => { this.#collecting = undefined })
  }

  /** Registers our tokens with one relay, then takes every page of our mail there. */
  async #collectFrom (relay: RelayMailbox): Promise<void> {
    try {
      const registered = await this.#call(relay.peerId, relay.peerId.toString(), { type: MailboxRequest.Type.REGISTER, tokenHashes: this.#tokenHashes })
      this.#seen(relay, registered)
      let after = 0
      while (!this.#stopped) {
        const page = await this.#call(relay.peerId, relay.peerId.toString(), { type: MailboxRequest.Type.FETCH, after })
        this.#seen(relay, page)
        if (page.envelopes.length === 0) return
        const done = await this.#apply(relay, page.envelopes)
        if (done.length > 0) this.#seen(relay, await this.#call(relay.peerId, relay.peerId.toString(), { type: MailboxRequest.Type.DELETE, ids: done }))
        after = page.envelopes.at(-1)!.id
        if (!page.more) return
      }
    } catch (err) {
      const refusal = err instanceof MailboxRefusedError ? err.data.reason : 'unreachable'
      relay.view = refusal === 'no-mailbox-service' ? { state: 'none' } : { ...relay.view, error: (err as Error).message }
      this.#o.log('mail at %s not fetched: %s', relay.address, (err as Error).message)
      this.#o.changed()
    }
  }

  /**
   * Opens a page of envelopes and hands each sender's to the worker, in the
   * order they were deposited. Answers the ids to delete: those applied, and
   * those rejected (counted): tampered, misaddressed, unreadable, or from a
   * stranger the user refused. A stranger's mail (it holds our card's token)
   * stays at the relay as a request, until the user accepts or refuses it.
   */
  async #apply (relay: RelayMailbox, envelopes: MailboxResponse['envelopes']): Promise<number[]> {
    const relayId = relay.peerId.toString()
    const bySender = new Map<string, Array<{ id: number, mail: MailIn }>>()
    const done: number[] = []
    for (const stored of envelopes) {
      try {
        const { sender, mail } = await openMail(this.#o.keys, relayId, stored.envelope)
        if (!this.#o.isContact(sender)) {
          if (this.#refused.has(sender)) throw new MailUnreadableError(`mail from ${sender}, whose request was refused`)
          if (!this.#o.acceptUnknownPeers()) {
            this.#o.request(sender)
            continue
          }
          await this.#o.sink.unknownPeerAccepted(sender)
        }
        const read = readMail(mail, relayId, this.#now())
        // Where the sender says it can be reached is kept and dialed later: checked as a stream's HELLO is.
        const { addresses, refused } = usablePeerAddresses(sender, read.hello.addresses)
        this.#o.counters.refusedAddresses += refused
        const list = bySender.get(sender) ?? []
        list.push({ id: stored.id, mail: { ...read, hello: { ...read.hello, addresses } } })
        bySender.set(sender, list)
      } catch (err) {
        if (!(err instanceof MailRejectedError || err instanceof MailUnreadableError)) throw err
        this.#o.counters.mailboxRejected++
        this.#o.log('mail %d at %s rejected: %s', stored.id, relay.address, err.message)
        done.push(stored.id)
      }
    }
    for (const [sender, mails] of bySender) {
      try {
        const { applied, rejected } = await this.#o.sink.mailArrived(sender, mails.map(m => m.mail))
        this.#o.counters.mailboxReceived += applied
        this.#o.counters.mailboxRejected += rejected
        done.push(...mails.map(m => m.id))
      } catch (err) {
        // Not committed (a full disk, say): it stays at the relay for the next fetch.
        this.#o.log('mail from %s not applied yet: %s', sender, (err as Error).message)
      }
    }
    return done
  }

  #seen (relay: RelayMailbox, answer: MailboxResponse): void {
    relay.maxEnvelopeBytes = answer.maxEnvelopeBytes
    relay.view = { state: 'yes', waitingEnvelopes: answer.waitingEnvelopes, waitingBytes: answer.waitingBytes, maxEnvelopeBytes: answer.maxEnvelopeBytes }
    this.#o.changed()
  }

  async #call (target: Parameters<typeof callMailbox>[1], relayName: string, request: Parameters<typeof callMailbox>[3]): Promise<MailboxResponse> {
    return await callMailbox(this.#o.node, target, relayName, request, MAIL_FETCH_RESPONSE_BYTES, { signal: AbortSignal.timeout(MAILBOX_CALL_TIMEOUT_MS) })
  }

  #now (): number {
    return (this.#o.now ?? Date.now)()
  }
}
