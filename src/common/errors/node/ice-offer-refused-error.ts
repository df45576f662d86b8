import { PeerlinkError } from '../base/peerlink-error.ts'

/** A relay answered `/peerlink/ice/1.0.0` without servers for us (we hold no reservation on it). */
export class IceOfferRefusedError extends PeerlinkError<{ status: string }> {
  static override readonly name = 'IceOfferRefusedError'

  constructor (status: string) {
    super(`the relay refused to offer ICE servers: ${status}`, { status })
  }
}
