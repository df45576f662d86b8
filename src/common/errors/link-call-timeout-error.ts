import { PeerlinkError } from './base/peerlink-error.ts'

/** One call across the link outlived its own deadline; the link itself and other calls go on. */
export class LinkCallTimeoutError extends PeerlinkError<{ method: string, deadlineMs: number, epoch: number }> {
  static override readonly name = 'LinkCallTimeoutError'

  constructor (method: string, deadlineMs: number, epoch: number) {
    super(`No answer to ${method} within ${deadlineMs} ms on link ${epoch}`, { method, deadlineMs, epoch })
  }
}
