import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { SpeedTestRequest, SpeedTestResult } from '../common/model.ts'

/** A raw libp2p stream beside the Peerlink one, to measure what the layer below Peerlink can do. */
export const SPEED_TEST_PROTOCOL = '/peerlink/speedtest/1.0.0'

const MODE_SINK = 0
const MODE_ECHO = 1

/** Thrown when the peer has no direct connection to measure. */
class NoDirectConnectionError extends Error {
  static override readonly name = 'NoDirectConnectionError'
  override readonly name = 'NoDirectConnectionError'
}

async function send (stream: Stream, data: Uint8Array): Promise<void> {
  if (stream.send(data)) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => { stream.removeEventListener('close', closed); resolve() }
    const closed = (): void => { stream.removeEventListener('drain', done); reject(new Error('stream closed')) }
    stream.addEventListener('drain', done, { once: true })
    stream.addEventListener('close', closed, { once: true })
  })
}

/** Runs a speed test to `peerId` over the open, unlimited connection to it. */
export async function runSpeedTest (node: Libp2p, peerId: string, request: SpeedTestRequest): Promise<SpeedTestResult> {
  const connection = node.getConnections().find((c: Connection) => c.remotePeer.toString() === peerId && c.status === 'open' && c.limits == null)
  if (connection == null) throw new NoDirectConnectionError(`no direct connection to ${peerId}: send it a message first`)
  const stream = await connection.newStream(SPEED_TEST_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const chunk = new Uint8Array(request.messageBytes).fill(7)
  const reader = stream[Symbol.asyncIterator]()
  const read = async (bytes: number): Promise<void> => {
    let got = 0
    while (got < bytes) {
      const next = await reader.next()
      if (next.done === true) throw new Error('stream ended early')
      got += next.value.byteLength
    }
  }
  try {
    if (request.mode === 'throughput') {
      const started = performance.now()
      await send(stream, Uint8Array.of(MODE_SINK))
      let sent = 0
      while (sent < request.totalBytes) {
        await send(stream, chunk)
        sent += chunk.byteLength
      }
      await stream.close()
      await read(8) // the receiver's count: everything arrived
      return { mode: 'throughput', bytes: sent, ms: performance.now() - started }
    }
    await send(stream, Uint8Array.of(MODE_ECHO))
    const roundTripsMs: number[] = []
    for (let i = 0; i < request.count; i++) {
      const started = performance.now()
      await send(stream, chunk)
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
    if (!isAllowed(connection.remotePeer.toString())) {
      stream.abort(new Error('speed tests are only for contacts'))
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
        if (body.byteLength > 0) await send(stream, body.slice())
      } else {
        received += body.byteLength
      }
    }
    if (mode === MODE_SINK) {
      const reply = new Uint8Array(8)
      new DataView(reply.buffer).setFloat64(0, received)
      await send(stream, reply)
    }
    await stream.close()
  }
}
