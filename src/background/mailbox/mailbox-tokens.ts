import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromString as textToBytes, toString as bytesToText } from 'uint8arrays'
import { MAILBOX_TOKEN_BYTES } from '../../common/wire/mailbox-token.ts'
import type { KeyValueStore } from '../profile/index.ts'

const SECRET_KEY = 'mailbox/secret'
const CARD_EPOCH_KEY = 'mailbox/card-epoch'
const SECRET_BYTES = 32

/**
 * The tokens that let others leave this browser mail on its relays: one per
 * contact, handed over in HELLO, and one on the contact card. Each is
 * HMAC-SHA256 of a secret kept in this profile, so none needs storing; the
 * relays hold only their SHA-256 hashes. A removed contact's token is no
 * longer registered, so it can no longer fill the mailbox; rotating the card's
 * withdraws it from everyone holding the old card.
 */
export class MailboxTokens {
  readonly #storage: KeyValueStore
  readonly #secret: Uint8Array
  #cardEpoch: number

  private constructor (storage: KeyValueStore, secret: Uint8Array, cardEpoch: number) {
    this.#storage = storage
    this.#secret = secret
    this.#cardEpoch = cardEpoch
  }

  /** Loads the profile's secret, making one on first use. */
  static async load (storage: KeyValueStore): Promise<MailboxTokens> {
    let secret = await storage.get<string>(SECRET_KEY)
    if (secret == null) {
      secret = bytesToText(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)), 'base64url')
      await storage.set(SECRET_KEY, secret)
    }
    return new MailboxTokens(storage, textToBytes(secret, 'base64url'), await storage.get<number>(CARD_EPOCH_KEY) ?? 0)
  }

  /** The token this browser gives `peerId`. */
  forContact (peerId: string): string {
    return this.#token(`contact\0${peerId}`)
  }

  /** The token on this browser's contact card. */
  card (): string {
    return this.#token(`card\0${this.#cardEpoch}`)
  }

  /** A new card token: whoever holds a card made before can no longer leave mail (unless they are a contact). */
  async rotateCard (): Promise<void> {
    this.#cardEpoch += 1
    await this.#storage.set(CARD_EPOCH_KEY, this.#cardEpoch)
  }

  /** What the relays register: SHA-256 of the card's token and of each contact's. */
  hashes (contacts: string[]): Uint8Array[] {
    return [this.card(), ...contacts.map(peerId => this.forContact(peerId))].map(token => sha256(textToBytes(token, 'base64url')))
  }

  #token (label: string): string {
    return bytesToText(hmac(sha256, this.#secret, new TextEncoder().encode(label)).subarray(0, MAILBOX_TOKEN_BYTES), 'base64url')
  }
}
