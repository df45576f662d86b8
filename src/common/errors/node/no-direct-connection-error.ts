import { PeerlinkError } from '../base/peerlink-error.ts'

/** A speed test needs an open, unlimited connection to the peer, and there is none. */
export class NoDirectConnectionError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'NoDirectConnectionError'

  constructor (peerId: string) {
    super(`no direct connection to ${peerId}: send it a message first`, { peerId })
  }
}
