import { PeerlinkError } from '../base/peerlink-error.ts'

/** A stream from a peer the user did not allow was refused. */
export class PeerNotAllowedError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'PeerNotAllowedError'

  constructor (peerId: string) {
    super(`${peerId} is not an allowed peer`, { peerId })
  }
}
