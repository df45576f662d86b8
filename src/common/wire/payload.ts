import { fromString, toString } from 'uint8arrays'
import { ResourceLimitError, ValidationError } from '../errors/index.ts'
import type { PayloadKind } from './frames.ts'

/** A message's payload as it is stored: text, or bytes kept as base64 (what pages exchange). */
export interface Payload {
  kind: PayloadKind
  /** The text of a text message; '' for bytes. */
  text: string
  /** A bytes message's payload, base64 with padding. */
  data?: string
  /** The payload's size: UTF-8 bytes of the text, or the decoded bytes. */
  bytes: number
}

const encoder = new TextEncoder()
// Not fatal: a peer's malformed UTF-8 shows as U+FFFD rather than blocking the stream forever.
const decoder = new TextDecoder('utf-8')
/** Standard base64 with padding, nothing else (no whitespace, no URL alphabet). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Checks what a caller gave as a message: exactly one of `text` (not empty)
 * or `bytes` (base64, not empty), at most `maxBytes` once decoded. The size
 * is checked from the base64 length before decoding anything. `field` goes
 * before the field's name in errors ('' or 'messages.3.').
 */
export function parsePayload (input: { text?: string, bytes?: string }, field: string, maxBytes: number): Payload {
  const { text, bytes } = input
  if (text != null && bytes != null) throw new ValidationError(field === '' ? 'bytes' : field.slice(0, -1), 'a message has text or bytes, not both')
  if (bytes != null) {
    const size = Math.floor(bytes.length / 4) * 3 - (bytes.endsWith('==') ? 2 : bytes.endsWith('=') ? 1 : 0)
    if (bytes.length % 4 === 0 && size > maxBytes) throw new ResourceLimitError('message-bytes', maxBytes, size)
    if (bytes.length === 0 || !BASE64.test(bytes)) throw new ValidationError(`${field}bytes`, 'bytes must be base64 (standard alphabet, with padding) and not empty')
    return { kind: 'bytes', text: '', data: bytes, bytes: size }
  }
  if (typeof text !== 'string' || text === '') throw new ValidationError(`${field}text`, 'a message needs some text (or bytes)')
  const size = encoder.encode(text).byteLength
  if (size > maxBytes) throw new ResourceLimitError('message-bytes', maxBytes, size)
  return { kind: 'text', text, bytes: size }
}

/** Base64 (standard alphabet, with padding) of `bytes`: how bytes travel in the API. */
export function toBase64 (bytes: Uint8Array): string {
  return toString(bytes, 'base64pad')
}

/** The bytes of a base64 string (as `MessageView.data` carries them). */
export function fromBase64 (base64: string): Uint8Array {
  return fromString(base64, 'base64pad')
}

/** The bytes that go on the wire for a payload. */
export function payloadBody (payload: Payload): Uint8Array {
  return payload.kind === 'bytes' ? fromBase64(payload.data ?? '') : encoder.encode(payload.text)
}

/** A payload as it came off the wire. */
export function payloadOf (kind: PayloadKind, body: Uint8Array): Payload {
  return kind === 'bytes'
    ? { kind, text: '', data: toBase64(body), bytes: body.byteLength }
    : { kind, text: decoder.decode(body), bytes: body.byteLength }
}
