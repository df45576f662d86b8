import { PeerlinkError } from '../base/peerlink-error.ts'

/** Why a relay did not take (or give) mail. */
export type MailboxRefusal =
  /** The recipient has no mailbox on this relay: never reserved on it, or not within the mail's time to live. */
  | 'no-mailbox'
  /** The relay runs no mailbox at all (started without a data directory). */
  | 'no-mailbox-service'
  /** The token is not one the recipient gave out (withdrawn, or never given). */
  | 'not-allowed'
  | 'envelope-too-large'
  | 'mailbox-full-bytes'
  | 'mailbox-full-envelopes'
  | 'rate-limited'
  | 'relay-full'
  | 'bad-request'
  /** The relay could not be reached, or did not answer in time. */
  | 'unreachable'
  /** The contact gave us no token yet (its card or a first conversation gives one). */
  | 'no-token'

/** A relay refused a mailbox request: which relay, why, and for a limit the limit and the value that went over it. */
export class MailboxRefusedError extends PeerlinkError<{ relay: string, reason: MailboxRefusal, limit: number, value: number }> {
  static override readonly name = 'MailboxRefusedError'

  constructor (relay: string, reason: MailboxRefusal, limit = 0, value = 0, detail = '') {
    super(`the mailbox at ${relay} refused: ${reason}${limit > 0 ? ` (${value} > ${limit})` : ''}${detail === '' ? '' : `: ${detail}`}`, { relay, reason, limit, value })
  }
}
