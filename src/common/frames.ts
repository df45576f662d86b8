/**
 * The Peerlink wire format: each frame is a varint length prefix followed by
 * one type byte and the type's fields. Sequence numbers are unsigned 64-bit
 * big-endian on the wire but limited to JavaScript's safe integers: at a
 * million messages a second a peer needs 285 years to reach 2^53, so they
 * never wrap in practice.
 */
import * as varint from 'uint8-varint'
import type { Uint8ArrayList } from 'uint8arraylist'
import { MalformedFrameError } from './errors/index.ts'

export const FrameType = {
  Message: 1,
  Ack: 2,
  Hello: 3,
  Close: 4,
  Ping: 5,
  Skip: 6
} as const

export type Frame =
  | { type: 'message', seq: number, body: Uint8Array }
  | { type: 'ack', seq: number }
  | { type: 'hello', nextExpectedSeq: number }
  | { type: 'close' }
  /** Keeps an idle stream from looking dead; carries nothing. */
  | { type: 'ping' }
  /**
   * The sender gave up on every message up to `seq` that the receiver has not
   * stored (they failed: expired, or the conversation was closed), so the
   * receiver should stop waiting for them.
   */
  | { type: 'skip', seq: number }

const TWO_TO_32 = 0x1_0000_0000

function writeU64 (view: DataView, offset: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Sequence number out of range: ${value}`)
  }
  view.setUint32(offset, Math.floor(value / TWO_TO_32))
  view.setUint32(offset + 4, value >>> 0)
}

function readU64 (view: DataView, offset: number): number {
  const value = view.getUint32(offset) * TWO_TO_32 + view.getUint32(offset + 4)
  if (!Number.isSafeInteger(value)) {
    throw new MalformedFrameError(`sequence number beyond 2^53: ${value}`)
  }
  return value
}

function encodeBody (frame: Frame): Uint8Array {
  switch (frame.type) {
    case 'message': {
      const out = new Uint8Array(9 + frame.body.byteLength)
      out[0] = FrameType.Message
      writeU64(new DataView(out.buffer), 1, frame.seq)
      out.set(frame.body, 9)
      return out
    }
    case 'ack':
    case 'skip':
    case 'hello': {
      const out = new Uint8Array(9)
      out[0] = frame.type === 'ack' ? FrameType.Ack : frame.type === 'skip' ? FrameType.Skip : FrameType.Hello
      writeU64(new DataView(out.buffer), 1, frame.type === 'hello' ? frame.nextExpectedSeq : frame.seq)
      return out
    }
    case 'close':
      return Uint8Array.of(FrameType.Close)
    case 'ping':
      return Uint8Array.of(FrameType.Ping)
  }
}

/** Encodes one frame with its length prefix, ready for `stream.send()`. */
export function encodeFrame (frame: Frame): Uint8Array {
  const body = encodeBody(frame)
  const prefix = varint.encode(body.byteLength)
  const out = new Uint8Array(prefix.byteLength + body.byteLength)
  out.set(prefix, 0)
  out.set(body, prefix.byteLength)
  return out
}

/** Decodes one frame body (without its length prefix). Throws `MalformedFrameError`. */
export function decodeFrame (data: Uint8Array | Uint8ArrayList): Frame {
  const bytes = data instanceof Uint8Array ? data : data.subarray()
  if (bytes.byteLength === 0) {
    throw new MalformedFrameError('empty frame')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const type = bytes[0]
  const expectLength = (length: number): void => {
    if (bytes.byteLength !== length) {
      throw new MalformedFrameError(`frame type ${type} must be ${length} bytes, got ${bytes.byteLength}`)
    }
  }
  switch (type) {
    case FrameType.Message:
      if (bytes.byteLength < 9) {
        throw new MalformedFrameError(`message frame too short: ${bytes.byteLength} bytes`)
      }
      return { type: 'message', seq: readU64(view, 1), body: bytes.slice(9) }
    case FrameType.Ack:
      expectLength(9)
      return { type: 'ack', seq: readU64(view, 1) }
    case FrameType.Hello:
      expectLength(9)
      return { type: 'hello', nextExpectedSeq: readU64(view, 1) }
    case FrameType.Close:
      expectLength(1)
      return { type: 'close' }
    case FrameType.Ping:
      expectLength(1)
      return { type: 'ping' }
    case FrameType.Skip:
      expectLength(9)
      return { type: 'skip', seq: readU64(view, 1) }
    default:
      throw new MalformedFrameError(`unknown frame type ${String(type)}`)
  }
}
