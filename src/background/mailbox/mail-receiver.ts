import { UnsentAckError } from '../../common/errors/index.ts'
import type { MailIn, MessageFrame } from '../../link/apis.ts'
import type { Inbox, MessageStore, Outbox } from '../delivery/index.ts'
import type { Contacts } from '../peers/index.ts'

export interface MailReceiverOptions {
  store: MessageStore
  outbox: Outbox
  inbox: Inbox
  contacts: Contacts
  /** The peer ended the conversation on purpose (a CLOSE in its mail). */
  closed: (peerId: string) => Promise<void>
  /** Mail was applied: the acks we owe the peer go back (into its mailbox while there is no stream). */
  applied: (peerId: string) => void
  log: (format: string, ...args: unknown[]) => void
}

/**
 * The receiving side of offline delivery: each envelope is the same
 * conversation as a stream (its HELLO, then MESSAGE, SKIP, ACK and CLOSE), so
 * the same rules hold: exactly once and in order, incarnations, the ack only
 * after a strict commit. An envelope handed over again (its id seen lately),
 * or one acknowledging what we never sent, is refused and counted.
 */
export class MailReceiver {
  readonly #o: MailReceiverOptions

  constructor (options: MailReceiverOptions) {
    this.#o = options
  }

  /** Applies the peer's envelopes in the order they were sealed; answers how many were applied and how many refused. */
  async apply (peerId: string, mails: MailIn[]): Promise<{ applied: number, rejected: number }> {
    const { store, contacts } = this.#o
    let applied = 0
    let rejected = 0
    let lastAck: { ackUpTo: number, seenSentAt: number } | null = null
    let newestSentAt = 0
    const ids: string[] = []
    for (const mail of [...mails].sort((a, b) => a.sentAt - b.sentAt)) {
      if (await store.mailSeen(peerId, mail.id) || ids.includes(mail.id)) {
        rejected += 1
        this.#o.log('mail %s from %s was applied before: refused', mail.id, peerId)
        continue
      }
      try {
        const { ackUpTo } = await this.#o.outbox.onMailHello(peerId, mail.hello)
        if (ackUpTo != null) lastAck = { ackUpTo, seenSentAt: mail.seenSentAt }
        await this.#frames(peerId, mail.frames)
      } catch (err) {
        if (!(err instanceof UnsentAckError)) throw err
        rejected += 1
        this.#o.log('mail %s from %s breaks the protocol: %s', mail.id, peerId, err.message)
        continue
      }
      await contacts.learnAddresses(peerId, mail.hello.addresses)
      await contacts.learnMailboxToken(peerId, mail.hello.mailboxToken)
      ids.push(mail.id)
      newestSentAt = Math.max(newestSentAt, mail.sentAt)
      applied += 1
    }
    if (ids.length > 0) {
      await store.noteMailApplied(peerId, ids, newestSentAt)
      await contacts.touch(peerId)
      // Its newest word on what it has of ours: what its mailbox lost is left there again.
      if (lastAck != null) await store.mailLost(peerId, lastAck.ackUpTo, lastAck.seenSentAt)
      this.#o.applied(peerId)
    }
    return { applied, rejected }
  }

  /** The frames after an envelope's HELLO, in order; messages in runs, stored as one burst each. */
  async #frames (peerId: string, frames: MailIn['frames']): Promise<void> {
    let run: MessageFrame[] = []
    const flush = async (): Promise<void> => {
      if (run.length > 0) await this.#o.inbox.receive(peerId, run)
      run = []
    }
    for (const frame of frames) {
      if (frame.type === 'message') {
        run.push({ seq: frame.seq, id: frame.id, body: frame.body, channel: frame.channel, kind: frame.kind })
        continue
      }
      await flush()
      if (frame.type === 'skip') await this.#o.store.skipIncoming(peerId, frame.from, frame.seq)
      else if (frame.type === 'ack') await this.#o.outbox.onAck(peerId, frame.seq)
      else await this.#o.closed(peerId)
    }
    await flush()
  }
}
