import { PeerlinkError } from '../base/peerlink-error.ts'

/** libp2p saw the peer's last connection go, and the stream had not noticed yet. */
export class PeerDisconnectedError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'PeerDisconnectedError'

  constructor (peerId: string) {
    super(`${peerId} disconnected`, { peerId })
  }
}
