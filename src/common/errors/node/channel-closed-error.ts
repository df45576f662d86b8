import { PeerlinkError } from '../base/peerlink-error.ts'

/** Why a write did not go out. */
export type ChannelClosedReason = 'not-open' | 'closed-while-writing' | 'write-timed-out'

/** A write the stream to a peer could not take: it was not open, it closed meanwhile, or it did not drain in time. */
export class ChannelClosedError extends PeerlinkError<{ peerId: string, reason: ChannelClosedReason }> {
  static override readonly name = 'ChannelClosedError'

  constructor (peerId: string, reason: ChannelClosedReason, message: string) {
    super(message, { peerId, reason })
  }
}
