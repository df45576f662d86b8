/**
 * Pure: part of a conversation packed into envelopes that each fit a relay's
 * limit (a HELLO first in every one, so each stands alone), and an opened
 * envelope checked and read back as frames.
 */
import { MAIL_ENVELOPE_OVERHEAD_BYTES, MAIL_MAX_AGE_MS } from '../../common/constants.ts'
import { decodeFrame, encodeFrameBody, type Frame, type Hello } from '../../common/wire/frames.ts'
import { MailboxRefusedError } from '../../common/errors/index.ts'
import type { MailIn, MessageFrame } from '../../link/apis.ts'
import { toString as bytesToText } from 'uint8arrays'
import type { Mail } from './mail-seal.ts'

/**
 * The frames of each envelope: the HELLO, then messages (each after the SKIP
 * its `skipFrom` asks for) while they fit `maxEnvelopeBytes`. A message that
 * cannot fit even alone is refused as 'envelope-too-large' with the relay's
 * limit, so it waits with the reason.
 */
export function packEnvelopes (hello: Hello, messages: MessageFrame[], maxEnvelopeBytes: number, relay: string): Uint8Array[][] {
  const helloBytes = encodeFrameBody({ type: 'hello', hello })
  const room = maxEnvelopeBytes - MAIL_ENVELOPE_OVERHEAD_BYTES - helloBytes.byteLength
  const envelopes: Uint8Array[][] = []
  let current: Uint8Array[] = []
  let bytes = 0
  for (const message of messages) {
    const frames: Frame[] = []
    if (message.skipFrom != null) frames.push({ type: 'skip', from: message.skipFrom, seq: message.seq - 1 })
    frames.push({ type: 'message', seq: message.seq, id: message.id, body: message.body, channel: message.channel, kind: message.kind })
    const encoded = frames.map(encodeFrameBody)
    const size = encoded.reduce((sum, f) => sum + f.byteLength + 8, 0)
    if (size > room) throw new MailboxRefusedError(relay, 'envelope-too-large', maxEnvelopeBytes, size + helloBytes.byteLength + MAIL_ENVELOPE_OVERHEAD_BYTES)
    if (bytes + size > room && current.length > 0) {
      envelopes.push([helloBytes, ...current])
      current = []
      bytes = 0
    }
    current.push(...encoded)
    bytes += size
  }
  if (current.length > 0 || envelopes.length === 0) envelopes.push([helloBytes, ...current])
  return envelopes
}

/** Why an opened envelope is still not believed. */
export class MailUnreadableError extends Error {
  override readonly name = 'MailUnreadableError'
}

/**
 * An opened envelope as the worker takes it: a HELLO first, then only
 * MESSAGE, SKIP, ACK and CLOSE frames, each well-formed, and sealed within
 * the age a relay keeps mail. Throws MailUnreadableError otherwise.
 */
export function readMail (mail: Mail, relay: string, now: number): MailIn {
  if (mail.sentAt > now + MAIL_MAX_AGE_MS || mail.sentAt < now - MAIL_MAX_AGE_MS) throw new MailUnreadableError(`sealed at ${mail.sentAt}, too far from now`)
  if (mail.id.byteLength === 0 || mail.id.byteLength > 32) throw new MailUnreadableError('an envelope without a proper id')
  let frames: Frame[]
  try {
    frames = mail.frames.map(f => decodeFrame(f))
  } catch (err) {
    throw new MailUnreadableError((err as Error).message)
  }
  const [first, ...rest] = frames
  if (first?.type !== 'hello') throw new MailUnreadableError('an envelope that does not start with HELLO')
  const body: MailIn['frames'] = []
  for (const frame of rest) {
    if (frame.type !== 'message' && frame.type !== 'skip' && frame.type !== 'ack' && frame.type !== 'close') throw new MailUnreadableError(`a ${frame.type.toUpperCase()} frame in an envelope`)
    body.push(frame)
  }
  return { id: bytesToText(mail.id, 'base16'), sentAt: mail.sentAt, seenSentAt: mail.seenSentAt, relay, hello: first.hello, frames: body }
}
