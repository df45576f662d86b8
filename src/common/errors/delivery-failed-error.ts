import { PeerlinkError } from './peerlink-error.ts'

export type DeliveryFailureReason = 'unreachable' | 'ack-timeout' | 'peer-removed' | 'stream-closed'

/** A message was not delivered, and this says why. */
export class DeliveryFailedError extends PeerlinkError<{ messageId: string, peerId: string, reason: DeliveryFailureReason, detail: string }> {
  static override readonly name = 'DeliveryFailedError'

  constructor (messageId: string, peerId: string, reason: DeliveryFailureReason, detail = '') {
    super(`Message ${messageId} to ${peerId} failed: ${reason}${detail === '' ? '' : ` (${detail})`}`, { messageId, peerId, reason, detail })
  }
}
