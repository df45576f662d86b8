import { PeerlinkError } from '../base/peerlink-error.ts'

/** Bytes written to the stream stopped draining: the peer or the path is stuck. */
export class StuckStreamError extends PeerlinkError<{ peerId: string, bufferedBytes: number, undrainedMs: number, stuckMs: number }> {
  static override readonly name = 'StuckStreamError'

  constructor (peerId: string, bufferedBytes: number, undrainedMs: number, stuckMs: number) {
    super(`${bufferedBytes} bytes to ${peerId} did not drain for ${undrainedMs} ms`, { peerId, bufferedBytes, undrainedMs, stuckMs })
  }
}
