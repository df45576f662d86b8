/**
 * Sealing mail end to end with HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, AES-128-GCM; `@hpke/core` with `@hpke/dhkem-x25519`), from the
 * keys both sides already have: each Ed25519 identity's X25519 form
 * (`@noble/curves`, RFC 7748's birational map, as libsodium and age use it).
 *
 * Two layers, as sealed-sender designs do: the inner one, in auth mode from
 * the sender's key to the recipient's, proves who sent it; the outer one, in
 * base mode to the recipient, hides the sender's name and the inner layer
 * from the relay. Both bind the recipient's peer id and the relay's as
 * associated data, so an envelope opens only for that recipient, taken from
 * that relay.
 */
import { Aes128Gcm, CipherSuite, HkdfSha256 } from '@hpke/core'
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Mail, MailFrom, SealedMail } from '../../common/wire/mail.ts'

export { Mail }

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() })
const encoder = new TextEncoder()
const OUTER_INFO = encoder.encode('peerlink/mail/1 outer')
const INNER_INFO = encoder.encode('peerlink/mail/1 inner')

/** Why an envelope did not open: the recipient drops it and counts it, and never acknowledges it. */
export type MailRejection = 'undecodable' | 'unopenable' | 'bad-sender'

/** An envelope that did not open, and why. */
export class MailRejectedError extends Error {
  override readonly name = 'MailRejectedError'
  constructor (readonly reason: MailRejection, detail: string) {
    super(`mail rejected (${reason}): ${detail}`)
  }
}

/** One side's keys in the form HPKE uses, made once per identity. */
export interface MailKeys {
  peerId: string
  pair: CryptoKeyPair
}

/** The X25519 form of an Ed25519 identity, for sealing and opening. */
export async function mailKeys (privateKey: PrivateKey, peerId: string): Promise<MailKeys> {
  if (privateKey.type !== 'Ed25519') throw new Error(`mail needs an Ed25519 identity, not ${privateKey.type}`)
  // libp2p keeps an Ed25519 private key as seed ‖ public key; the seed is what the map takes.
  const seed = privateKey.raw.subarray(0, 32)
  const [sk, pk] = await Promise.all([
    suite.kem.importKey('raw', bufferOf(ed25519.utils.toMontgomerySecret(seed)), false),
    suite.kem.importKey('raw', bufferOf(ed25519.utils.toMontgomery(privateKey.publicKey.raw)), true)
  ])
  return { peerId, pair: { privateKey: sk, publicKey: pk } }
}

/** Seals `mail` from `sender` to `recipient`, for deposit at `relay`. */
export async function sealMail (sender: MailKeys, recipient: string, relay: string, mail: Mail): Promise<Uint8Array> {
  const recipientKey = await publicMailKey(recipient)
  const aad = associatedData(recipient, relay)
  const inner = await suite.seal({ recipientPublicKey: recipientKey, senderKey: sender.pair, info: INNER_INFO }, Mail.encode(mail), aad)
  const from = MailFrom.encode({ sender: sender.peerId, enc: new Uint8Array(inner.enc), ciphertext: new Uint8Array(inner.ct) })
  const outer = await suite.seal({ recipientPublicKey: recipientKey, info: OUTER_INFO }, from, aad)
  return SealedMail.encode({ enc: new Uint8Array(outer.enc), ciphertext: new Uint8Array(outer.ct) })
}

/**
 * Opens an envelope taken from `relay`: who sent it (proved by the inner
 * layer) and what it says. Throws MailRejectedError for anything tampered
 * with, sealed for another recipient or relay, or not from the key it names.
 */
export async function openMail (own: MailKeys, relay: string, envelope: Uint8Array): Promise<{ sender: string, mail: Mail }> {
  const aad = associatedData(own.peerId, relay)
  let sealed: SealedMail
  try {
    sealed = SealedMail.decode(envelope)
  } catch (err) {
    throw new MailRejectedError('undecodable', (err as Error).message)
  }
  let from: MailFrom
  try {
    from = MailFrom.decode(new Uint8Array(await suite.open({ recipientKey: own.pair, enc: sealed.enc, info: OUTER_INFO }, sealed.ciphertext, aad)))
  } catch (err) {
    throw new MailRejectedError('unopenable', (err as Error).message)
  }
  let senderKey: CryptoKey
  try {
    senderKey = await publicMailKey(from.sender)
  } catch (err) {
    throw new MailRejectedError('bad-sender', (err as Error).message)
  }
  try {
    const inner = await suite.open({ recipientKey: own.pair, enc: from.enc, senderPublicKey: senderKey, info: INNER_INFO }, from.ciphertext, aad)
    return { sender: peerIdFromString(from.sender).toString(), mail: Mail.decode(new Uint8Array(inner), { limits: { frames: MAX_MAIL_FRAMES } }) }
  } catch (err) {
    throw new MailRejectedError('unopenable', (err as Error).message)
  }
}

/** Frames one envelope may carry. */
export const MAX_MAIL_FRAMES = 4096

async function publicMailKey (peerId: string): Promise<CryptoKey> {
  const key = peerIdFromString(peerId).publicKey
  if (key?.type !== 'Ed25519') throw new Error(`${peerId} has no Ed25519 key in its id`)
  return await suite.kem.importKey('raw', bufferOf(ed25519.utils.toMontgomery(key.raw)), true)
}

function associatedData (recipient: string, relay: string): Uint8Array {
  return encoder.encode(`${recipient}\n${relay}`)
}

function bufferOf (bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}
