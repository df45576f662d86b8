import { PeerlinkError } from '../base/peerlink-error.ts'

/**
 * Why a message failed. Only these: a message is never failed for being slow
 * or for a broken connection; it waits and is resent. `client-revoked`: the
 * user revoked the client that sent it.
 */
export type DeliveryFailureReason = 'expired' | 'peer-closed' | 'peer-removed' | 'given-up' | 'client-revoked'

/** A message will not be delivered, and this says why. */
export class DeliveryFailedError extends PeerlinkError<{ messageId: string, peerId: string, reason: DeliveryFailureReason, detail: string }> {
  static override readonly name = 'DeliveryFailedError'

  constructor (messageId: string, peerId: string, reason: DeliveryFailureReason, detail = '') {
    super(`Message ${messageId} to ${peerId} failed: ${reason}${detail === '' ? '' : ` (${detail})`}`, { messageId, peerId, reason, detail })
  }
}
