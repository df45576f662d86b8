import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { DEFAULT_WRITE_TIMEOUT_MS, SPEED_TEST_PROTOCOL, SPEED_TEST_STREAM_OPEN_TIMEOUT_MS } from '../../common/constants.ts'
import { NoDirectConnectionError, PeerNotAllowedError } from '../../common/errors/index.ts'
import type { SpeedTestRequest, SpeedTestResult } from '../../common/model.ts'
import { sendWithBackpressure } from './backpressure.ts'

const MODE_SINK = 0
const MODE_ECHO = 1

/** A speed test's writes wait for `drain` as long as Peerlink's own writes may. */
async function send (stream: Stream, peerId: string, data: Uint8Array): Promise<void> {
  await sendWithBackpressure(stream, peerId, data, DEFAULT_WRITE_TIMEOUT_MS)
}

/** Runs a speed test to `peerId` over the open, unlimited connection to it. */
export async function runSpeedTest (node: Libp2p, peerId: string, request: SpeedTestRequest): Promise<SpeedTestResult> {
  const connection = node.getConnections().find((c: Connection) => c.remotePeer.toString() === peerId && c.status === 'open' && c.limits == null)
  if (connection == null) throw new NoDirectConnectionError(peerId)
  const stream = await connection.newStream(SPEED_TEST_PROTOCOL, { signal: AbortSignal.timeout(SPEED_TEST_STREAM_OPEN_TIMEOUT_MS) })
  const chunk = new Uint8Array(request.messageBytes).fill(7)
  const reader = stream[Symbol.asyncIterator]()
  /** Reads `bytes` bytes from the stream and answers them. */
  const read = async (bytes: number): Promise<Uint8Array> => {
    const got = new Uint8Array(bytes)
    let at = 0
    while (at < bytes) {
      const next = await reader.next()
      if (next.done === true) throw new Error('stream ended early')
      const data = next.value.subarray()
      got.set(data.subarray(0, bytes - at), at)
      at += data.byteLength
    }
    return got
  }
  try {
    if (request.mode === 'throughput') {
      const started = performance.now()
      await send(stream, peerId, Uint8Array.of(MODE_SINK))
      let sent = 0
      while (sent < request.totalBytes) {
        await send(stream, peerId, chunk)
        sent += chunk.byteLength
      }
      await stream.close()
      // What the receiver counted, not what was written: the figure is what arrived.
      const count = await read(8)
      return { mode: 'throughput', bytes: new DataView(count.buffer).getFloat64(0), ms: performance.now() - started }
    }
    await send(stream, peerId, Uint8Array.of(MODE_ECHO))
    const roundTripsMs: number[] = []
    for (let i = 0; i < request.count; i++) {
      const started = performance.now()
      await send(stream, peerId, chunk)
      await read(chunk.byteLength)
      roundTripsMs.push(performance.now() - started)
    }
    await stream.close()
    return { mode: 'round-trip', roundTripsMs }
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** Answers speed tests from allowed peers: counts bytes (then replies with the count), or echoes. */
export function makeSpeedTestHandler (isAllowed: (peerId: string) => boolean) {
  return async (stream: Stream, connection: Connection): Promise<void> => {
    const peerId = connection.remotePeer.toString()
    if (!isAllowed(peerId)) {
      stream.abort(new PeerNotAllowedError(peerId))
      return
    }
      let mode: number | undefined
    let received = 0
    for await (const data of stream) {
      const bytes = data instanceof Uint8Array ? data : data.subarray()
      let body = bytes
      if (mode == null) {
        mode = bytes[0]
        body = bytes.subarray(1)
      }
      if (mode === MODE_ECHO) {
        if (body.byteLength > 0) await send(stream, peerId, body.slice())
      } else {
        received += body.byteLength
      }
    }
    if (mode === MODE_SINK) {
      const reply = new Uint8Array(8)
      new DataView(reply.buffer).setFloat64(0, received)
      await send(stream, peerId, reply)
    }
    await stream.close()
  }
}
