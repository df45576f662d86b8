/**
 * Mailbox tokens as text and bytes: apart from the frames, so that a page
 * reading a contact card does not load the frame codec.
 */
import { fromString as textToBytes } from 'uint8arrays'
import { MalformedFrameError } from '../errors/index.ts'

/** Bytes of a mailbox token: random, one per contact. */
export const MAILBOX_TOKEN_BYTES = 16

/** A mailbox token's bytes from its text; throws MalformedFrameError for anything but 16 bytes of base64url. */
export function decodeMailboxToken (token: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = textToBytes(token, 'base64url')
  } catch {
    throw new MalformedFrameError('a mailbox token that is not base64url')
  }
  if (bytes.byteLength !== MAILBOX_TOKEN_BYTES) throw new MalformedFrameError(`mailbox token of ${bytes.byteLength} bytes`)
  return bytes
}
