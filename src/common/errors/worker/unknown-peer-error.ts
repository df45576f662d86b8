import { PeerlinkError } from '../base/peerlink-error.ts'

/** The peer is not among the user's contacts. */
export class UnknownPeerError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'UnknownPeerError'

  constructor (peerId: string) {
    super(`Unknown peer ${peerId}: add it as a contact first`, { peerId })
  }
}
