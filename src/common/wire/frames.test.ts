import { LengthPrefixedDecoder } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { MalformedFrameError } from '../errors/index.ts'
import { decodeFrame, encodeFrame, type Frame, type Hello } from './frames.ts'
import { Frame as WireFrame } from './frame.ts'

function roundTrip (frame: Frame): Frame {
  const decoder = new LengthPrefixedDecoder()
  const decoded = [...decoder.decode(encodeFrame(frame))]
  expect(decoded).toHaveLength(1)
  return decodeFrame(decoded[0]!)
}

const hello: Hello = {
  incarnation: '0f'.repeat(16),
  peerIncarnation: null,
  nextExpectedSeq: 7,
  firstSeq: 3,
  maxMessageBytes: 1024 * 1024,
  inactivityTimeoutMs: 120_000,
  addresses: ['/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelay/p2p-circuit/p2p/12D3KooWMe']
}

/** The bytes of a frame as protobuf, without the length prefix. */
const wire = (frame: Partial<WireFrame> & Pick<WireFrame, 'type'>): Uint8Array => WireFrame.encode(frame)

describe('frames', () => {
  it('round-trips every frame type, including sequence number 0', () => {
    const body = new TextEncoder().encode('hello')
    expect(roundTrip({ type: 'message', seq: 0, id: 'm-1', body, channel: 'peerlink', kind: 'text' })).toEqual({ type: 'message', seq: 0, id: 'm-1', body, channel: 'peerlink', kind: 'text' })
    const app = { type: 'message', seq: 1, id: 'm-2', body, channel: 'extension:abcdefghijklmnopabcdefghijklmnop', kind: 'bytes' } as const
    expect(roundTrip(app)).toEqual(app)
    expect(roundTrip({ type: 'ack', seq: 0 })).toEqual({ type: 'ack', seq: 0 })
    expect(roundTrip({ type: 'hello', hello })).toEqual({ type: 'hello', hello })
    expect(roundTrip({ type: 'hello', hello: { ...hello, peerIncarnation: 'a1'.repeat(16) } })).toEqual({ type: 'hello', hello: { ...hello, peerIncarnation: 'a1'.repeat(16) } })
    const withToken = { ...hello, mailboxToken: 'AAECAwQFBgcICQoLDA0ODw' }
    expect(roundTrip({ type: 'hello', hello: withToken })).toEqual({ type: 'hello', hello: withToken })
    expect(roundTrip({ type: 'close' })).toEqual({ type: 'close' })
    expect(roundTrip({ type: 'ping' })).toEqual({ type: 'ping' })
    expect(roundTrip({ type: 'skip', from: 39, seq: 41 })).toEqual({ type: 'skip', from: 39, seq: 41 })
    expect(() => decodeFrame(wire({ type: WireFrame.Type.SKIP, skipFrom: 5, seq: 4 }))).toThrow(/past its end/)
    expect(roundTrip({ type: 'pause', reason: 'storage-full' })).toEqual({ type: 'pause', reason: 'storage-full' })
  })

  it('keeps sequence numbers above 2^32 and up to 2^53 - 1 exact', () => {
    for (const seq of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      expect(roundTrip({ type: 'ack', seq })).toEqual({ type: 'ack', seq })
    }
  })

  it('refuses to encode a sequence number that is not a safe non-negative integer', () => {
    expect(() => encodeFrame({ type: 'ack', seq: -1 })).toThrow(MalformedFrameError)
    expect(() => encodeFrame({ type: 'ack', seq: 1.5 })).toThrow(MalformedFrameError)
    expect(() => encodeFrame({ type: 'ack', seq: 2 ** 53 })).toThrow(MalformedFrameError)
  })

  it('decodes several frames split across arbitrary chunk boundaries', () => {
    const frames: Frame[] = [
      { type: 'hello', hello },
      { type: 'message', seq: 3, id: 'x', body: new Uint8Array(300).fill(7), channel: 'origin:https://app.example', kind: 'bytes' },
      { type: 'ack', seq: 2 }
    ]
    const bytes = new Uint8Array(frames.flatMap(f => [...encodeFrame(f)]))
    const decoder = new LengthPrefixedDecoder()
    const out: Frame[] = []
    for (let i = 0; i < bytes.byteLength; i += 5) {
      for (const chunk of decoder.decode(bytes.subarray(i, i + 5))) out.push(decodeFrame(chunk))
    }
    expect(out).toEqual(frames)
  })

  it('ignores fields it does not know, so HELLO can grow', () => {
    const known = wire({ type: WireFrame.Type.ACK, seq: 5 })
    // Field 15, length-delimited, 3 bytes: a field a later version might add.
    const grown = new Uint8Array([...known, (15 << 3) | 2, 3, 1, 2, 3])
    expect(decodeFrame(grown)).toEqual({ type: 'ack', seq: 5 })
  })

  it('rejects malformed frames with MalformedFrameError', () => {
    expect(() => decodeFrame(Uint8Array.of(0xff, 0xff))).toThrow(MalformedFrameError)
    expect(() => decodeFrame(Uint8Array.of(8, 99))).toThrow(/Invalid enum value/)
    // An empty frame decodes as an empty MESSAGE, which is refused.
    expect(() => decodeFrame(new Uint8Array())).toThrow(/empty message/)
    expect(() => decodeFrame(wire({ type: WireFrame.Type.MESSAGE, seq: 1, id: 'm', body: new Uint8Array(0) }))).toThrow(/empty message/)
    expect(() => decodeFrame(wire({ type: WireFrame.Type.MESSAGE, seq: 1, id: 'not valid!', body: Uint8Array.of(1) }))).toThrow(/valid id/)
    // A channel is a client's id or nothing (Peerlink's own); a kind, one the schema names.
    expect(() => decodeFrame(wire({ type: WireFrame.Type.MESSAGE, seq: 1, id: 'm', body: Uint8Array.of(1), channel: 'app' }))).toThrow(/channel/)
    expect(() => decodeFrame(wire({ type: WireFrame.Type.MESSAGE, seq: 1, id: 'm', body: Uint8Array.of(1), channel: `origin:https://${'a'.repeat(300)}` }))).toThrow(/channel/)
    // MESSAGE, body [1], id 'm', kind 7 (field 9): a kind the schema does not name.
    expect(() => decodeFrame(Uint8Array.of(8, 0, 26, 1, 1, 34, 1, 109, 72, 7))).toThrow(MalformedFrameError)
    expect(() => decodeFrame(wire({ type: WireFrame.Type.HELLO }))).toThrow(/without its fields/)
    const badHello = { ...hello, incarnation: new Uint8Array(3), peerIncarnation: new Uint8Array(0), mailboxToken: new Uint8Array(0) }
    expect(() => decodeFrame(wire({ type: WireFrame.Type.HELLO, hello: badHello }))).toThrow(/incarnation of 3 bytes/)
    const tooMany = { ...hello, incarnation: new Uint8Array(16), peerIncarnation: new Uint8Array(0), mailboxToken: new Uint8Array(0), addresses: Array.from({ length: 9 }, () => '/ip4/1.2.3.4') }
    expect(() => decodeFrame(wire({ type: WireFrame.Type.HELLO, hello: tooMany }))).toThrow(MalformedFrameError)
    const shortToken = { ...hello, incarnation: new Uint8Array(16), peerIncarnation: new Uint8Array(0), mailboxToken: new Uint8Array(5) }
    expect(() => decodeFrame(wire({ type: WireFrame.Type.HELLO, hello: shortToken }))).toThrow(/mailbox token of 5 bytes/)
    expect(() => decodeFrame(wire({ type: WireFrame.Type.PAUSE }))).toThrow(/known reason/)
    // A sequence number beyond 2^53: ten varint bytes (2^63) that JavaScript cannot hold exactly.
    expect(() => decodeFrame(Uint8Array.of(8, 1, 16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01))).toThrow(MalformedFrameError)
  })
})
