import { PeerlinkError } from '../base/peerlink-error.ts'

/** There is no open stream to the peer; the worker decides when to connect. */
export class NotConnectedError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'NotConnectedError'

  constructor (peerId: string) {
    super(`no open stream to ${peerId}`, { peerId })
  }
}
