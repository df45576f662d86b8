import { PeerlinkError } from '../base/peerlink-error.ts'

/** The stream carried nothing from the peer, not even a PING, for longer than the inactivity timeout. */
export class InactivityTimeoutError extends PeerlinkError<{ peerId: string, silentMs: number, timeoutMs: number }> {
  static override readonly name = 'InactivityTimeoutError'

  constructor (peerId: string, silentMs: number, timeoutMs: number) {
    super(`nothing from ${peerId} for ${silentMs} ms`, { peerId, silentMs, timeoutMs })
  }
}
