import { PeerlinkError } from '../base/peerlink-error.ts'

/** A frame from the network that does not decode; carries why, for logs and counters. */
export class MalformedFrameError extends PeerlinkError<{ reason: string }> {
  static override readonly name = 'MalformedFrameError'

  constructor (reason: string) {
    super(reason, { reason })
  }
}
