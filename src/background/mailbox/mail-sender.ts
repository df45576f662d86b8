import { MAIL_DEPOSIT_BUDGET_BYTES, MAIL_DEPOSIT_DELAY_MS, MAIL_RETRY_BASE_MS, MAIL_RETRY_CAP_MS } from '../../common/constants.ts'
import { MailboxRefusedError, serializeError, UnknownPeerError, type SerializedError } from '../../common/errors/index.ts'
import { payloadBody } from '../../common/wire/payload.ts'
import type { DepositOutcome, MessageFrame, OutgoingMail } from '../../link/apis.ts'
import type { MessageStore, StoredMessage } from '../delivery/index.ts'
import type { Contacts } from '../peers/index.ts'
import type { MailboxTokens } from './mailbox-tokens.ts'

export interface MailSenderOptions {
  store: MessageStore
  contacts: Contacts
  tokens: MailboxTokens
  /** Whether a stream to the peer is open now: then the stream carries everything. */
  connected: (peerId: string) => boolean
  /** Seals and leaves the mail on the peer's relays (the node's `depositMail`). */
  deposit: (peerId: string, mail: OutgoingMail) => Promise<DepositOutcome>
  /** Each message now in the peer's mailbox, as stored. */
  announce: (message: StoredMessage) => void
  /** What a page shows of a peer changed (a deposit failed, or worked again). */
  changed: () => void
  log: (format: string, ...args: unknown[]) => void
  now?: () => number
}

/** Why the last deposit for a peer failed, and when it is tried again. */
export interface MailTrouble {
  error: SerializedError
  at: number
  retryAt: number
}

interface PeerMail {
  timer?: ReturnType<typeof setTimeout>
  running: boolean
  again: boolean
  failures: number
  trouble?: MailTrouble
}

/**
 * The sending side of offline delivery: when a contact has no stream, what
 * it has not acknowledged (and our acks of its messages) goes into its
 * mailbox on its relays, one envelope per burst. A message stays in the
 * outbox until acked: a stream later sends it again and the receiver drops
 * the copy. A deposit that fails is tried again later, with the reason shown.
 */
export class MailSender {
  readonly #o: MailSenderOptions
  readonly #peers = new Map<string, PeerMail>()
  readonly #now: () => number

  constructor (options: MailSenderOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
  }

  /** Messages wait for a stream to the peer: they go to its mailbox if none opens soon. */
  waiting (peerId: string): void {
    const peer = this.#peer(peerId)
    if (peer.timer != null || peer.running) return
    peer.timer = setTimeout(() => {
      peer.timer = undefined
      this.now(peerId)
    }, MAIL_DEPOSIT_DELAY_MS)
  }

  /** Deposits for the peer now, unless a stream is open (a dial failed, or we owe the peer an ack). */
  now (peerId: string): void {
    const peer = this.#peer(peerId)
    clearTimeout(peer.timer)
    peer.timer = undefined
    if (peer.running) {
      peer.again = true
      return
    }
    peer.running = true
    void this.#deposit(peerId, peer).catch((err: Error) => {
      this.#failed(peerId, peer, err)
    }).finally(() => {
      peer.running = false
      if (peer.again) {
        peer.again = false
        this.now(peerId)
      }
    })
  }

  /** A stream to the peer opened: it carries everything now, and nothing waits on the mailbox. */
  streamUp (peerId: string): void {
    const peer = this.#peers.get(peerId)
    if (peer == null) return
    clearTimeout(peer.timer)
    peer.timer = undefined
    this.#cleared(peerId, peer)
  }

  /** Why the last deposit for the peer failed, while it did. */
  trouble (peerId: string): MailTrouble | undefined {
    return this.#peers.get(peerId)?.trouble
  }

  /** Tries again every failed deposit that is due (the heartbeat). */
  retryDue (): void {
    const now = this.#now()
    for (const [peerId, peer] of this.#peers) if (peer.trouble != null && peer.trouble.retryAt <= now) this.now(peerId)
  }

  /** Stops every timer (tests, shutdown). */
  stop (): void {
    for (const peer of this.#peers.values()) clearTimeout(peer.timer)
  }

  async #deposit (peerId: string, peer: PeerMail): Promise<void> {
    // A stream carries everything now: nothing waits on the mailbox.
    if (this.#o.connected(peerId)) return this.#cleared(peerId, peer)
    const contact = await this.#o.contacts.get(peerId).catch((err: Error) => {
      if (err instanceof UnknownPeerError) return undefined
      throw err
    })
    if (contact == null) return
    const { store } = this.#o
    const state = await store.mailState(peerId)
    const messages = await store.pending(peerId, state.mailOutSeq + 1, MAIL_DEPOSIT_BUDGET_BYTES)
    const ackOwed = state.nextInSeq - 1 > state.mailAckedIn
    if (messages.length === 0 && !ackOwed) return this.#cleared(peerId, peer)
    if (contact.mailboxToken == null) throw new MailboxRefusedError('none', 'no-token', 0, 0, `${peerId} gave no mailbox token yet: its contact card or a first conversation gives one`)
    if ((contact.addresses ?? []).length === 0) throw new MailboxRefusedError('none', 'no-mailbox', 0, 0, `no relay of ${peerId} is known`)
    const hello = { ...await store.ourHello(peerId), mailboxToken: this.#o.tokens.forContact(peerId) }
    // As on a stream: the receiver is told to skip failed messages only once that is noted here.
    for (const m of messages) if (m.skipFrom != null) await store.markSkipped(peerId, m.skipFrom, m.seq - 1)
    const frames: MessageFrame[] = messages.map(m => ({ seq: m.seq, id: m.id, body: payloadBody(m), channel: m.channel, kind: m.kind, ...(m.skipFrom == null ? {} : { skipFrom: m.skipFrom }) }))
    const sentAt = this.#now()
    const outcome = await this.#o.deposit(peerId, { hello, messages: frames, addresses: contact.addresses ?? [], token: contact.mailboxToken, sentAt, seenSentAt: state.mailInSentAt })
    if (outcome.stored.length === 0) {
      this.#failed(peerId, peer, outcome.refusals[0] ?? serializeError(new MailboxRefusedError('none', 'unreachable')))
      return
    }
    const mailed = await store.markMailed(peerId, messages.map(m => m.seq), outcome.stored, hello.nextExpectedSeq - 1, sentAt)
    for (const message of mailed) this.#o.announce({ ...message, state: 'stored' })
    this.#o.log('left %d messages for %s at %s', mailed.length, peerId, outcome.stored.join(', '))
    this.#cleared(peerId, peer)
    // What one deposit could not take goes next (a look that finds nothing more costs one read).
    if (messages.length > 0) peer.again = true
  }

  #failed (peerId: string, peer: PeerMail, err: Error | SerializedError): void {
    const error = err instanceof Error ? serializeError(err) : err
    const delay = Math.min(MAIL_RETRY_CAP_MS, MAIL_RETRY_BASE_MS * 2 ** Math.min(peer.failures, 16))
    peer.failures += 1
    const now = this.#now()
    peer.trouble = { error, at: now, retryAt: now + delay }
    this.#o.log('mail for %s not left: %s; again in %d ms', peerId, error.message, delay)
    clearTimeout(peer.timer)
    peer.timer = setTimeout(() => {
      peer.timer = undefined
      this.now(peerId)
    }, delay)
    this.#o.changed()
  }

  #cleared (peerId: string, peer: PeerMail): void {
    peer.failures = 0
    if (peer.trouble == null) return
    delete peer.trouble
    this.#o.changed()
  }

  #peer (peerId: string): PeerMail {
    let peer = this.#peers.get(peerId)
    if (peer == null) {
      peer = { running: false, again: false, failures: 0 }
      this.#peers.set(peerId, peer)
    }
    return peer
  }
}
