import { MAX_PEERS } from '../common/constants.ts'
import { ResourceLimitError, UnknownPeerError, ValidationError } from '../common/errors/index.ts'
import { parsePeerId, parsePeerName } from '../common/validators.ts'
import type { KeyValueStore } from './key-value-store.ts'

const CONTACTS_KEY = 'contacts'

/** How stale a stored last-seen time may get: a busy conversation writes it at most this often. */
const LAST_SEEN_PRECISION_MS = 10_000

export interface Contact {
  peerId: string
  name: string
  addedAt: number
  lastSeen: number | null
}

/** The peers the user allowed: persisted, validated, bounded. */
export class Contacts {
  readonly #storage: KeyValueStore
  readonly #ownPeerId: () => string
  /** Every change goes through this object, so the copy in memory stays true for the worker's life. */
  #cache: Contact[] | undefined

  constructor (storage: KeyValueStore, ownPeerId: () => string) {
    this.#storage = storage
    this.#ownPeerId = ownPeerId
  }

  async list (): Promise<Contact[]> {
    return (await this.#cached()).map(c => ({ ...c }))
  }

  /** The contacts as stored, not to be changed: callers get copies from `list()`. */
  async #cached (): Promise<readonly Contact[]> {
    this.#cache ??= await this.#storage.get<Contact[]>(CONTACTS_KEY) ?? []
    return this.#cache
  }

  async #save (contacts: Contact[]): Promise<void> {
    await this.#storage.set(CONTACTS_KEY, contacts)
    this.#cache = contacts.map(c => ({ ...c }))
  }

  async has (peerId: string): Promise<boolean> {
    return (await this.list()).some(c => c.peerId === peerId)
  }

  /** Returns the contact, or throws `UnknownPeerError`. */
  async get (peerId: string): Promise<Contact> {
    const contact = (await this.list()).find(c => c.peerId === peerId)
    if (contact == null) throw new UnknownPeerError(peerId)
    return contact
  }

  /** Adds a peer, or renames it when it is already a contact. */
  async add (peerIdInput: unknown, nameInput?: unknown): Promise<Contact> {
    const peerId = parsePeerId(peerIdInput)
    const name = parsePeerName(nameInput)
    if (peerId === this.#ownPeerId()) {
      throw new ValidationError('peer id', 'that is this browser\'s own peer id')
    }
    const contacts = await this.list()
    const existing = contacts.find(c => c.peerId === peerId)
    if (existing != null) {
      existing.name = name === '' ? existing.name : name
      await this.#save(contacts)
      return existing
    }
    if (contacts.length >= MAX_PEERS) {
      throw new ResourceLimitError('peers', MAX_PEERS, contacts.length + 1)
    }
    const contact: Contact = { peerId, name, addedAt: Date.now(), lastSeen: null }
    await this.#save([...contacts, contact])
    return contact
  }

  async remove (peerIdInput: unknown): Promise<void> {
    const peerId = parsePeerId(peerIdInput)
    const contacts = await this.list()
    if (!contacts.some(c => c.peerId === peerId)) throw new UnknownPeerError(peerId)
    await this.#save(contacts.filter(c => c.peerId !== peerId))
  }

  /** Records that the peer was heard from, to within 10 s, so every received batch may call it. */
  async touch (peerId: string, at = Date.now()): Promise<void> {
    const seen = (await this.#cached()).find(c => c.peerId === peerId)
    if (seen == null || at - (seen.lastSeen ?? -Infinity) <= LAST_SEEN_PRECISION_MS) return
    const contacts = await this.list()
    contacts.find(c => c.peerId === peerId)!.lastSeen = at
    await this.#save(contacts)
  }
}
