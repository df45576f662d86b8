import { PeerlinkError } from '../base/peerlink-error.ts'

/** The stream was reset because the user asked to reconnect. */
export class ResetByUserError extends PeerlinkError<{ peerId: string }> {
  static override readonly name = 'ResetByUserError'

  constructor (peerId: string) {
    super('stream reset on request', { peerId })
  }
}
