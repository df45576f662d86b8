import { PeerlinkError } from '../base/peerlink-error.ts'

/** A peer sent control frames (acks, HELLOs, skips, pings) faster than a stream allows: its stream is reset. */
export class ControlFloodError extends PeerlinkError<{ peerId: string, limitPerSecond: number }> {
  static override readonly name = 'ControlFloodError'

  constructor (peerId: string, limitPerSecond: number) {
    super(`${peerId} sent more than ${limitPerSecond} control frames a second`, { peerId, limitPerSecond })
  }
}
