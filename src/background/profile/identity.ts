import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { fromString, toString } from 'uint8arrays'
import { ValidationError } from '../../common/errors/index.ts'
import type { KeyValueStore } from './key-value-store.ts'

const IDENTITY_KEY = 'identity'

export interface Identity {
  peerId: string
  /** libp2p protobuf encoding of the Ed25519 private key; never leaves the extension. */
  privateKey: Uint8Array
}

/** Loads the persistent identity, creating an Ed25519 key on first run. */
export async function loadOrCreateIdentity (storage: KeyValueStore): Promise<Identity> {
  const stored = await storage.get<string>(IDENTITY_KEY)
  if (stored != null) {
    const privateKey = fromString(stored, 'base64pad')
    return { peerId: peerIdFromPrivateKey(privateKeyFromProtobuf(privateKey)).toString(), privateKey }
  }
  const key = await generateKeyPair('Ed25519')
  const privateKey = privateKeyToProtobuf(key)
  await storage.set(IDENTITY_KEY, toString(privateKey, 'base64pad'))
  return { peerId: peerIdFromPrivateKey(key).toString(), privateKey }
}

/** The private key as text (base64 of libp2p's protobuf encoding), for a backup the user asked for. */
export function exportKey (identity: Identity): string {
  return toString(identity.privateKey, 'base64pad')
}

/** Reads an exported key; throws `ValidationError` if it is not one. Stores nothing. */
export function parseExportedKey (text: unknown): Identity {
  if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('private key', 'paste a key exported from Peerlink')
  let privateKey: Uint8Array
  let peerId: string
  try {
    privateKey = fromString(text.trim(), 'base64pad')
    const key = privateKeyFromProtobuf(privateKey)
    if (key.type !== 'Ed25519') throw new Error(`a ${key.type} key`)
    peerId = peerIdFromPrivateKey(key).toString()
  } catch (err) {
    throw new ValidationError('private key', `not a Peerlink key (${(err as Error).message})`)
  }
  return { peerId, privateKey }
}

/** Makes `identity` this browser's identity from now on. */
export async function saveIdentity (storage: KeyValueStore, identity: Identity): Promise<void> {
  await storage.set(IDENTITY_KEY, toString(identity.privateKey, 'base64pad'))
}

/** This browser's identity as the worker holds it; importing a key replaces it. */
export class OwnIdentity {
  readonly #storage: KeyValueStore
  #identity: Identity

  private constructor (storage: KeyValueStore, identity: Identity) {
    this.#storage = storage
    this.#identity = identity
  }

  static async load (storage: KeyValueStore): Promise<OwnIdentity> {
    return new OwnIdentity(storage, await loadOrCreateIdentity(storage))
  }

  get current (): Identity {
    return this.#identity
  }

  get peerId (): string {
    return this.#identity.peerId
  }

  /** Makes `identity` this browser's identity from now on. */
  async replace (identity: Identity): Promise<void> {
    await saveIdentity(this.#storage, identity)
    this.#identity = identity
  }
}
