import { PeerlinkError } from '../base/peerlink-error.ts'

/**
 * The peer acknowledged a sequence number that was never sent to it: its
 * state and ours no longer describe one conversation. A protocol error:
 * nothing is marked delivered, and the stream is reset.
 */
export class UnsentAckError extends PeerlinkError<{ peerId: string, seq: number, nextOutSeq: number }> {
  static override readonly name = 'UnsentAckError'

  constructor (peerId: string, seq: number, nextOutSeq: number) {
    super(`${peerId} acknowledged message ${seq}, but only ${nextOutSeq} were ever sent to it`, { peerId, seq, nextOutSeq })
  }
}
