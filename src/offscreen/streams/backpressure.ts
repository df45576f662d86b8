import type { Stream } from '@libp2p/interface'
import { pEvent } from 'p-event'
import { ChannelClosedError } from '../../common/errors/index.ts'

/**
 * Sends `data` on the stream to `peerId`; when the stream's buffer is full,
 * waits for its next `drain`, at most `timeoutMs`. Throws `ChannelClosedError`
 * when the stream closes first or the wait times out.
 */
export async function sendWithBackpressure (stream: Stream, peerId: string, data: Uint8Array, timeoutMs: number): Promise<void> {
  if (stream.send(data)) return
  // Not `onDrain()`: it resolves only once per stream. Wait for each `drain`.
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    await pEvent(stream, 'drain', { rejectionEvents: ['close'], signal })
  } catch {
    throw signal.aborted
      ? new ChannelClosedError(peerId, 'write-timed-out', `write to ${peerId} timed out after ${timeoutMs} ms`)
      : new ChannelClosedError(peerId, 'closed-while-writing', `stream to ${peerId} closed while writing`)
  }
}
