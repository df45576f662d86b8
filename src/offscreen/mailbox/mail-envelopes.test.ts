import { describe, expect, it } from 'vitest'
import { MAIL_ENVELOPE_OVERHEAD_BYTES, MAIL_MAX_AGE_MS } from '../../common/constants.ts'
import { decodeFrame, encodeFrameBody, newIncarnation, type Frame, type Hello } from '../../common/wire/frames.ts'
import type { MessageFrame } from '../../link/apis.ts'
import { packEnvelopes, readMail } from './mail-envelopes.ts'

const hello: Hello = { incarnation: newIncarnation(), peerIncarnation: null, nextExpectedSeq: 3, firstSeq: 0, maxMessageBytes: 1 << 20, inactivityTimeoutMs: 120_000, addresses: [] }
const message = (seq: number, bytes: number, skipFrom?: number): MessageFrame => ({ seq, id: `m${seq}`, body: new Uint8Array(bytes).fill(1), channel: 'peerlink', kind: 'bytes', ...(skipFrom == null ? {} : { skipFrom }) })
const frames = (envelope: Uint8Array[]): Frame[] => envelope.map(f => decodeFrame(f))

describe('packing a conversation into envelopes', () => {
  it('starts every envelope with the HELLO and keeps messages in order, each after the SKIP it needs', () => {
    const envelopes = packEnvelopes(hello, [message(0, 10), message(3, 10, 1), message(4, 10)], 64 * 1024, 'relay')
    expect(envelopes).toHaveLength(1)
    expect(frames(envelopes[0]!).map(f => f.type === 'message' ? `m${f.seq}` : f.type === 'skip' ? `skip ${f.from}-${f.seq}` : f.type)).toEqual(['hello', 'm0', 'skip 1-2', 'm3', 'm4'])
  })

  it('splits a burst so that each envelope fits the relay\'s limit', () => {
    const limit = MAIL_ENVELOPE_OVERHEAD_BYTES + 3000
    const envelopes = packEnvelopes(hello, Array.from({ length: 10 }, (_, i) => message(i, 1000)), limit, 'relay')
    expect(envelopes.length).toBeGreaterThan(3)
    for (const envelope of envelopes) {
      expect(frames(envelope)[0]!.type).toBe('hello')
      expect(envelope.reduce((sum, f) => sum + f.byteLength, 0) + MAIL_ENVELOPE_OVERHEAD_BYTES).toBeLessThanOrEqual(limit)
    }
    expect(envelopes.flatMap(e => frames(e).filter(f => f.type === 'message').map(f => (f as { seq: number }).seq))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('refuses a message no envelope of the relay could hold, naming the relay\'s limit', () => {
    expect(() => packEnvelopes(hello, [message(0, 5000)], MAIL_ENVELOPE_OVERHEAD_BYTES + 1000, 'relay-x'))
      .toThrow(expect.objectContaining({ name: 'MailboxRefusedError', data: expect.objectContaining({ relay: 'relay-x', reason: 'envelope-too-large', limit: MAIL_ENVELOPE_OVERHEAD_BYTES + 1000 }) }))
  })

  it('an acknowledgement alone is an envelope with only the HELLO', () => {
    expect(packEnvelopes(hello, [], 64 * 1024, 'relay').map(frames)).toEqual([[{ type: 'hello', hello }]])
  })
})

describe('reading an opened envelope', () => {
  const now = 1_800_000_000_000
  const mail = (list: Frame[], sentAt = now): Parameters<typeof readMail>[0] => ({ id: Uint8Array.of(1, 2), sentAt, seenSentAt: 0, frames: list.map(f => encodeFrameBody(f) as Uint8Array<ArrayBuffer>) })

  it('takes a HELLO followed by messages, skips, acks and a close', () => {
    const read = readMail(mail([{ type: 'hello', hello }, { type: 'skip', from: 0, seq: 1 }, { type: 'ack', seq: 4 }, { type: 'close' }]), 'relay', now)
    expect(read).toMatchObject({ id: '0102', sentAt: now, relay: 'relay', hello, frames: [{ type: 'skip', from: 0, seq: 1 }, { type: 'ack', seq: 4 }, { type: 'close' }] })
  })

  it('refuses an envelope without a HELLO first, with a PING or PAUSE in it, or sealed too long ago or ahead', () => {
    expect(() => readMail(mail([{ type: 'ack', seq: 1 }]), 'relay', now)).toThrow(/does not start with HELLO/)
    expect(() => readMail(mail([{ type: 'hello', hello }, { type: 'ping' }]), 'relay', now)).toThrow(/PING frame/)
    expect(() => readMail(mail([{ type: 'hello', hello }, { type: 'pause', reason: 'storage-full' }]), 'relay', now)).toThrow(/PAUSE frame/)
    expect(() => readMail(mail([{ type: 'hello', hello }], now - MAIL_MAX_AGE_MS - 1), 'relay', now)).toThrow(/too far from now/)
    expect(() => readMail(mail([{ type: 'hello', hello }], now + MAIL_MAX_AGE_MS + 1), 'relay', now)).toThrow(/too far from now/)
  })

  it('refuses a frame that does not decode', () => {
    expect(() => readMail({ ...mail([{ type: 'hello', hello }]), frames: [Uint8Array.of(0xff, 0xff)] }, 'relay', now)).toThrow(expect.objectContaining({ name: 'MailUnreadableError' }))
  })
})
