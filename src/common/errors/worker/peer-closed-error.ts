import { PeerlinkError } from '../base/peerlink-error.ts'

/** The conversation with the peer was closed on purpose; nothing is sent until the user reconnects. */
export class PeerClosedError extends PeerlinkError<{ peerId: string, intentional: true, by: 'local' | 'remote' }> {
  static override readonly name = 'PeerClosedError'

  constructor (peerId: string, by: 'local' | 'remote') {
    super(by === 'local'
      ? `You closed the conversation with ${peerId}; reconnect to send again`
      : `${peerId} closed the conversation; reconnect to send again`, { peerId, intentional: true, by })
  }
}
