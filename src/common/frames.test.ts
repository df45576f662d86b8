import { LengthPrefixedDecoder } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { MalformedFrameError } from './errors/index.ts'
import { decodeFrame, encodeFrame, type Frame } from './frames.ts'

function roundTrip (frame: Frame): Frame {
  const decoder = new LengthPrefixedDecoder()
  const decoded = [...decoder.decode(encodeFrame(frame))]
  expect(decoded).toHaveLength(1)
  return decodeFrame(decoded[0]!)
}

describe('frames', () => {
  it('round-trips every frame type, including sequence number 0', () => {
    const body = new TextEncoder().encode('hello')
    expect(roundTrip({ type: 'message', seq: 0, body })).toEqual({ type: 'message', seq: 0, body })
    expect(roundTrip({ type: 'ack', seq: 0 })).toEqual({ type: 'ack', seq: 0 })
    expect(roundTrip({ type: 'hello', nextExpectedSeq: 7 })).toEqual({ type: 'hello', nextExpectedSeq: 7 })
    expect(roundTrip({ type: 'close' })).toEqual({ type: 'close' })
    expect(roundTrip({ type: 'ping' })).toEqual({ type: 'ping' })
    expect(roundTrip({ type: 'skip', seq: 41 })).toEqual({ type: 'skip', seq: 41 })
  })

  it('keeps sequence numbers above 2^32 and up to 2^53 - 1 exact', () => {
    for (const seq of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      expect(roundTrip({ type: 'ack', seq })).toEqual({ type: 'ack', seq })
    }
  })

  it('refuses to encode a sequence number that is not a safe non-negative integer', () => {
    expect(() => encodeFrame({ type: 'ack', seq: -1 })).toThrow(RangeError)
    expect(() => encodeFrame({ type: 'ack', seq: 1.5 })).toThrow(RangeError)
    expect(() => encodeFrame({ type: 'ack', seq: 2 ** 53 })).toThrow(RangeError)
  })

  it('decodes several frames split across arbitrary chunk boundaries', () => {
    const frames: Frame[] = [
      { type: 'hello', nextExpectedSeq: 3 },
      { type: 'message', seq: 3, body: new Uint8Array(300).fill(7) },
      { type: 'ack', seq: 2 }
    ]
    const wire = new Uint8Array(frames.flatMap(f => [...encodeFrame(f)]))
    const decoder = new LengthPrefixedDecoder()
    const out: Frame[] = []
    for (let i = 0; i < wire.byteLength; i += 5) {
      for (const chunk of decoder.decode(wire.subarray(i, i + 5))) out.push(decodeFrame(chunk))
    }
    expect(out).toEqual(frames)
  })

  it('rejects malformed frames with MalformedFrameError', () => {
    expect(() => decodeFrame(new Uint8Array())).toThrow(MalformedFrameError)
    expect(() => decodeFrame(Uint8Array.of(99))).toThrow(/unknown frame type 99/)
    expect(() => decodeFrame(Uint8Array.of(1, 0, 0))).toThrow(/too short/)
    expect(() => decodeFrame(Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 1, 5))).toThrow(/must be 9 bytes/)
    expect(() => decodeFrame(Uint8Array.of(4, 0))).toThrow(/must be 1 bytes/)
    expect(() => decodeFrame(Uint8Array.of(2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0))).toThrow(/beyond 2\^53/)
  })
})
