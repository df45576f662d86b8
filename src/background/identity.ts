import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { fromString, toString } from 'uint8arrays'
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
