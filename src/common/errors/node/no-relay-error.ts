import { PeerlinkError } from '../base/peerlink-error.ts'

/** No relay to reach the peer through: none of ours, and none the peer is known to use. */
export class NoRelayError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'NoRelayError'

  constructor (peerId: string) {
    super(`no relay to reach ${peerId} through: add a relay on the options page, or the contact's addresses`, { peerId })
  }
}
