import PQueue from 'p-queue'
import { LAST_SEEN_PRECISION_MS, MAX_AUTO_ACCEPTED_PEERS, MAX_CONTACT_ADDRESSES, MAX_PEERS } from '../../common/constants.ts'
import { ResourceLimitError, UnknownPeerError, ValidationError } from '../../common/errors/index.ts'
import { parsePeerId, parsePeerName } from '../../common/validators.ts'
import type { KeyValueStore } from '../profile/index.ts'

/** Each contact is its own `storage.local` entry, so a change writes one contact, not the whole list. */
const CONTACT_PREFIX = 'contact/'
/** Where versions before 0.2 kept the whole list as one entry; moved to one entry per contact on first read. */
const LEGACY_LIST_KEY = 'contacts'


export interface Contact {
  peerId: string
  name: string
  addedAt: number
  lastSeen: number | null
  /** Let in by "accept anyone" rather than added by the user: evicted first when the list is full. */
  auto?: true
  /** Where the peer can be reached (its relays' circuit addresses), newest first, at most `MAX_CONTACT_ADDRESSES`. */
  addresses?: string[]
  /** The token the peer gave us (its card, its HELLO) to leave it mail on its relays. */
  mailboxToken?: string
  /** The person silenced its notifications. */
  muted?: true
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
  /** The first read, shared by every caller that comes while it runs. */
  #loading: Promise<Contact[]> | undefined
  /**
   * Changes run one at a time: each reads the list, decides and writes, and
   * two interleaved would lose one (a contact added while another was
   * touched, or a removed one written back).
   */
  readonly #changes = new PQueue({ concurrency: 1 })

  readonly #hasConversation: (peerId: string) => Promise<boolean>

  /**
   * `hasConversation` says whether any message with a peer is stored (such
   * a contact is never evicted); what a peer merely says of its side, such as
   * a HELLO's sequence numbers, must not count.
   */
  constructor (storage: KeyValueStore, ownPeerId: () => string, hasConversation: (peerId: string) => Promise<boolean> = async () => true) {
    this.#storage = storage
    this.#ownPeerId = ownPeerId
    this.#hasConversation = hasConversation
  }

  async list (): Promise<Contact[]> {
    return (await this.#cached()).map(c => ({ ...c }))
  }

  /** The contacts as stored, in the order they were added, not to be changed: callers get copies from `list()`. */
  async #cached (): Promise<readonly Contact[]> {
    if (this.#cache == null) {
      this.#loading ??= this.#load()
      const loaded = await this.#loading
      this.#cache ??= loaded
    }
    return this.#cache
  }

  async #load (): Promise<Contact[]> {
    const legacy = await this.#storage.get<Contact[]>(LEGACY_LIST_KEY)
    if (legacy != null) {
      // Written before the old entry goes: a crash in between moves the same list again.
      await this.#storage.setMany(Object.fromEntries(legacy.map(c => [CONTACT_PREFIX + c.peerId, c])))
      await this.#storage.remove([LEGACY_LIST_KEY])
    }
    const contacts = (await this.#storage.entries<Contact>(CONTACT_PREFIX)).map(([, c]) => c)
    return contacts.sort((a, b) => a.addedAt - b.addedAt || (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
  }

  /** Stores one contact, new or changed; the list in memory follows. */
  async #put (contact: Contact): Promise<void> {
    await this.#storage.set(CONTACT_PREFIX + contact.peerId, contact)
    const cache = [...await this.#cached()]
    const at = cache.findIndex(c => c.peerId === contact.peerId)
    if (at >= 0) cache[at] = { ...contact }
    else cache.push({ ...contact })
    this.#cache = cache
  }

  /** A copy of one contact, if it is one. */
  async #find (peerId: string): Promise<Contact | undefined> {
    const contact = (await this.#cached()).find(c => c.peerId === peerId)
    return contact == null ? undefined : { ...contact }
  }

  async #delete (peerId: string): Promise<void> {
    await this.#storage.remove([CONTACT_PREFIX + peerId])
    this.#cache = (await this.#cached()).filter(c => c.peerId !== peerId)
  }

  async has (peerId: string): Promise<boolean> {
    return (await this.#cached()).some(c => c.peerId === peerId)
  }

  /** Returns the contact, or throws `UnknownPeerError`. */
  async get (peerId: string): Promise<Contact> {
    const contact = await this.#find(peerId)
    if (contact == null) throw new UnknownPeerError(peerId)
    return contact
  }

  /**
   * Adds a peer, or renames it when it is already a contact. `auto`: let in
   * by "accept anyone". `addresses`: where it can be reached (from its
   * contact card, checked by the caller), kept newest first with those known
   * before, in the same change. When the list is full, the oldest such
   * stranger with no conversation makes room, so strangers never lock the
   * user out; and strangers have a cap of their own (`MAX_AUTO_ACCEPTED_PEERS`:
   * at it, the oldest without a conversation makes room, or the stranger is
   * refused with `ResourceLimitError` 'auto-accepted-peers').
   */
  async add (peerIdInput: unknown, nameInput?: unknown, { auto = false, addresses = [] as string[], mailboxToken = undefined as string | undefined } = {}): Promise<Contact> {
    const peerId = parsePeerId(peerIdInput)
    const name = parsePeerName(nameInput)
    return await this.#change(async () => await this.#add(peerId, name, auto, addresses, mailboxToken))
  }

  async #add (peerId: string, name: string, auto: boolean, addresses: string[], mailboxToken: string | undefined): Promise<Contact> {
    if (peerId === this.#ownPeerId()) {
      throw new ValidationError('peer id', 'that is this browser\'s own peer id')
    }
    const existing = await this.#find(peerId)
    if (existing != null) {
      existing.name = name === '' ? existing.name : name
      // The user adding a peer makes it theirs, whoever let it in first.
      if (!auto) delete existing.auto
      if (addresses.length > 0) existing.addresses = mergeAddresses(addresses, existing.addresses)
      // A card's token stands in only until the peer gives us one of its own.
      if (mailboxToken != null) existing.mailboxToken ??= mailboxToken
      await this.#put(existing)
      return existing
    }
    const all = await this.#cached()
    const count = all.length
    const strangers = all.filter(c => c.auto === true).length
    let evicted: Contact | undefined
    if (auto && strangers >= MAX_AUTO_ACCEPTED_PEERS) {
      evicted = await this.#strangerToEvict()
      if (evicted == null) throw new ResourceLimitError('auto-accepted-peers', MAX_AUTO_ACCEPTED_PEERS, strangers + 1)
    } else if (count >= MAX_PEERS) {
      evicted = await this.#strangerToEvict()
    }
    if (count - (evicted == null ? 0 : 1) >= MAX_PEERS) {
      throw new ResourceLimitError('peers', MAX_PEERS, count + 1)
    }
    const contact: Contact = { peerId, name, addedAt: Date.now(), lastSeen: null }
    if (auto) contact.auto = true
    if (addresses.length > 0) contact.addresses = mergeAddresses(addresses)
    if (mailboxToken != null) contact.mailboxToken = mailboxToken
    if (evicted != null) await this.#delete(evicted.peerId)
    await this.#put(contact)
    return contact
  }

  /** The oldest auto-accepted contact that never exchanged a message, if any. */
  async #strangerToEvict (): Promise<Contact | undefined> {
    for (const stranger of (await this.#cached()).filter(c => c.auto === true).sort((a, b) => a.addedAt - b.addedAt)) {
      if (!await this.#hasConversation(stranger.peerId)) return stranger
    }
    return undefined
  }

  async remove (peerIdInput: unknown): Promise<void> {
    const peerId = parsePeerId(peerIdInput)
    await this.#change(async () => {
      if (!await this.has(peerId)) throw new UnknownPeerError(peerId)
      await this.#delete(peerId)
    })
  }

  /** Records that the peer was heard from, to within 10 s, so every received batch may call it. */
  async touch (peerId: string, at = Date.now()): Promise<void> {
    const seen = (await this.#cached()).find(c => c.peerId === peerId)
    if (seen == null || at - (seen.lastSeen ?? -Infinity) <= LAST_SEEN_PRECISION_MS) return
    await this.#change(async () => {
      const contact = await this.#find(peerId)
      // Removed while this waited its turn: it stays removed.
      if (contact == null) return
      contact.lastSeen = Math.max(at, contact.lastSeen ?? -Infinity)
      await this.#put(contact)
    })
  }

  /**
   * Keeps the addresses the peer says it can be reached at, newest first,
   * capped: a peer cannot grow our storage by announcing many.
   */
  async learnAddresses (peerId: string, addresses: string[]): Promise<void> {
    await this.#change(async () => {
      const contact = await this.#find(peerId)
      if (contact == null) return
      const merged = mergeAddresses(addresses, contact.addresses)
      if (JSON.stringify(merged) === JSON.stringify(contact.addresses ?? [])) return
      contact.addresses = merged
      await this.#put(contact)
    })
  }

  /** Keeps the token the peer gave us (in its HELLO) to leave it mail; a newer one replaces the older. */
  async learnMailboxToken (peerId: string, token: string | undefined): Promise<void> {
    if (token == null || (await this.#cached()).find(c => c.peerId === peerId)?.mailboxToken === token) return
    await this.#change(async () => {
      const contact = await this.#find(peerId)
      if (contact == null || contact.mailboxToken === token) return
      contact.mailboxToken = token
      await this.#put(contact)
    })
  }

  /** Silences the contact's notifications, or lets them show again; `UnknownPeerError` for a stranger. */
  async setMuted (peerIdInput: unknown, muted: boolean): Promise<Contact> {
    const peerId = parsePeerId(peerIdInput)
    return await this.#change(async () => {
      const contact = await this.get(peerId)
      if (muted) contact.muted = true
      else delete contact.muted
      await this.#put(contact)
      return contact
    })
  }

  /** Runs one read-change-write of the list after every change before it. */
  async #change<T> (change: () => Promise<T>): Promise<T> {
    return await this.#changes.add(change)
  }
}
