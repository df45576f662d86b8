import { PeerlinkError } from './base/peerlink-error.ts'

/** The link between the worker and the offscreen document went away mid-call. */
export class LinkClosedError extends PeerlinkError<{ epoch: number, reason: string }> {
  static override readonly name = 'LinkClosedError'

  constructor (epoch: number, reason: string) {
    super(`Link ${epoch} closed: ${reason}`, { epoch, reason })
  }
}
