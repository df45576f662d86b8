/**
 * A message's payload as a client gives it (`{ text }` or `{ bytes }`, bytes
 * as a Uint8Array or already base64) and as it travels (base64, since
 * runtime messaging carries JSON); and the id a client gives each message.
 */
import { toBase64 } from '../common/wire/payload.ts'

export { fromBase64, toBase64 } from '../common/wire/payload.ts'

/** What a client sends: text, or bytes (a Uint8Array, or a base64 string). */
export type MessageInput = { text: string, bytes?: undefined } | { bytes: Uint8Array | string, text?: undefined }

/** The payload fields of a `send` request. */
export type WirePayload = { text: string } | { bytes: string }

/** The payload fields of a request for `input`; throws a TypeError for anything else. */
export function wirePayload (input: MessageInput): WirePayload {
  if (typeof input?.text === 'string' && input.bytes == null) return { text: input.text }
  if (input?.text == null && input?.bytes instanceof Uint8Array) return { bytes: toBase64(input.bytes) }
  if (input?.text == null && typeof input?.bytes === 'string') return { bytes: input.bytes }
  throw new TypeError('a message is { text: string } or { bytes: Uint8Array | base64 string }')
}

/**
 * A new message id. Chosen by the client, so a send repeated after a worker
 * restart is recognised as the same message. `crypto.randomUUID` exists only
 * in secure contexts; a plain-http page gets the same 122 random bits another way.
 */
export function newMessageId (): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}
