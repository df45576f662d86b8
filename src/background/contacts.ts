import PQueue from 'p-queue'
import { LAST_SEEN_PRECISION_MS, MAX_CONTACT_ADDRESSES, MAX_PEERS } from '../common/constants.ts'
import { ResourceLimitError, UnknownPeerError, ValidationError } from '../common/errors/index.ts'
import { parsePeerId, parsePeerName } from '../common/validators.ts'
import type { KeyValueStore } from './key-value-store.ts'

const CONTACTS_KEY = 'contacts'


export interface Contact {
  peerId: string
  name: string
  addedAt: number
  lastSeen: number | null
  /** Let in by "accept anyone" rather than added by the user: evicted first when the list is full. */
  auto?: true
  /** Where the peer can be reached (its relays' circuit addresses), newest first, at most `MAX_CONTACT_ADDRESSES`. */
  addresses?: string[]
}

/** A contact's addresses with `newest` first, without duplicates, capped. */
function mergeAddresses (newest: string[], known: string[] = []): string[] {
  return [...new Set([...newest, ...known])].slice(0, MAX_CONTACT_ADDRESSES)
}

/** The peers the user allowed: persisted, validated, bounded. */
export class Contacts {
  readonly #storage: KeyValueStore
  readonly #ownPeerId: () => string
  /** Every change goes through this object, so the copy in memory stays true for the worker's life. */
  #cache: Contact[] | undefined
  /**
   * Changes run one at a time: each reads, changes and writes the whole list,
   * and two interleaved would lose one (a contact added while another was
   * touched, or a removed one written back).
   */
  readonly #changes = new PQueue({ concurrency: 1 })

  readonly #hasConversation: (peerId: string) => Promise<boolean>

  /** `hasConversation` says whether any message went either way with a peer (such a contact is never evicted). */
  constructor (storage: KeyValueStore, ownPeerId: () => string, hasConversation: (peerId: string) => Promise<boolean> = async () => true) {
    this.#storage = storage
    this.#ownPeerId = ownPeerId
    this.#hasConversation = hasConversation
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

  /**
   * Adds a peer, or renames it when it is already a contact. `auto`: let in
   * by "accept anyone". `addresses`: where it can be reached (from its
   * contact card, checked by the caller), kept newest first with those known
   * before, in the same change. When the list is full, the oldest such
   * stranger with no conversation makes room, so strangers never lock the
   * user out.
   */
  async add (peerIdInput: unknown, nameInput?: unknown, { auto = false, addresses = [] as string[] } = {}): Promise<Contact> {
    const peerId = parsePeerId(peerIdInput)
    const name = parsePeerName(nameInput)
    return await this.#change(async () => await this.#add(peerId, name, auto, addresses))
  }

  async #add (peerId: string, name: string, auto: boolean, addresses: string[]): Promise<Contact> {
    if (peerId === this.#ownPeerId()) {
      throw new ValidationError('peer id', 'that is this browser\'s own peer id')
    }
    const contacts = await this.list()
    const existing = contacts.find(c => c.peerId === peerId)
    if (existing != null) {
      existing.name = name === '' ? existing.name : name
      // The user adding a peer makes it theirs, whoever let it in first.
      if (!auto) delete existing.auto
      if (addresses.length > 0) existing.addresses = mergeAddresses(addresses, existing.addresses)
      await this.#save(contacts)
      return existing
    }
    const kept = contacts.length >= MAX_PEERS ? await this.#evictStranger(contacts) : contacts
    if (kept.length >= MAX_PEERS) {
      throw new ResourceLimitError('peers', MAX_PEERS, contacts.length + 1)
    }
    const contact: Contact = { peerId, name, addedAt: Date.now(), lastSeen: null }
    if (auto) contact.auto = true
    if (addresses.length > 0) contact.addresses = mergeAddresses(addresses)
    await this.#save([...kept, contact])
    return contact
  }

  /** The list without its oldest auto-accepted contact that never exchanged a message; unchanged if there is none. */
  async #evictStranger (contacts: Contact[]): Promise<Contact[]> {
    for (const stranger of contacts.filter(c => c.auto === true).sort((a, b) => a.addedAt - b.addedAt)) {
      if (!await this.#hasConversation(stranger.peerId)) return contacts.filter(c => c !== stranger)
    }
    return contacts
  }

  async remove (peerIdInput: unknown): Promise<void> {
    const peerId = parsePeerId(peerIdInput)
    await this.#change(async () => {
      const contacts = await this.list()
      if (!contacts.some(c => c.peerId === peerId)) throw new UnknownPeerError(peerId)
      await this.#save(contacts.filter(c => c.peerId !== peerId))
    })
  }

  /** Records that the peer was heard from, to within 10 s, so every received batch may call it. */
  async touch (peerId: string, at = Date.now()): Promise<void> {
    const seen = (await this.#cached()).find(c => c.peerId === peerId)
    if (seen == null || at - (seen.lastSeen ?? -Infinity) <= LAST_SEEN_PRECISION_MS) return
    await this.#change(async () => {
      const contacts = await this.list()
      const contact = contacts.find(c => c.peerId === peerId)
      // Removed while this waited its turn: it stays removed.
      if (contact == null) return
      contact.lastSeen = Math.max(at, contact.lastSeen ?? -Infinity)
      await this.#save(contacts)
    })
  }

  /**
   * Keeps the addresses the peer says it can be reached at, newest first,
   * capped: a peer cannot grow our storage by announcing many.
   */
  async learnAddresses (peerId: string, addresses: string[]): Promise<void> {
    await this.#change(async () => {
      const contacts = await this.list()
      const contact = contacts.find(c => c.peerId === peerId)
      if (contact == null) return
      const merged = mergeAddresses(addresses, contact.addresses)
      if (JSON.stringify(merged) === JSON.stringify(contact.addresses ?? [])) return
      contact.addresses = merged
      await this.#save(contacts)
    })
  }

  /** Runs one read-change-write of the list after every change before it. */
  async #change<T> (change: () => Promise<T>): Promise<T> {
    return await this.#changes.add(change)
  }
}
