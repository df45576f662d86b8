import PQueue from 'p-queue'
import type { ClientView } from '../../api/protocol.ts'
import { describeClient, type ClientId } from '../../common/client-id.ts'
import { MAX_CLIENTS, MAX_PEER_CLIENT_REQUESTS, MAX_PEER_CLIENT_REQUESTS_PER_HOUR } from '../../common/constants.ts'
import { ResourceLimitError } from '../../common/errors/index.ts'
import type { KeyValueStore } from '../profile/index.ts'

const CLIENTS_KEY = 'clients'
const HOUR_MS = 3600_000

type ClientRecord = Omit<ClientView, 'kind'>

/** Where a request came from: the client asking on this browser, or peers sending messages for it. */
const byPeers = (r: ClientRecord): boolean => r.state === 'requested' && r.requestedBy === 'peers'

/** A record as stored before requests said where they came from: one the client never asked for came from peers. */
function normalized (r: ClientRecord): ClientRecord {
  if (r.requestedBy != null) return r
  return { ...r, requestedBy: r.state === 'requested' && r.attempts === 0 ? 'peers' : 'client' }
}

/**
 * The other extensions and web origins that asked to use Peerlink, and
 * those the user allowed: persisted, bounded. A client is listed as a
 * request when it is refused on this browser, or when peers send it
 * messages before the user allowed it (they wait on its channel). The two
 * kinds are kept apart: a peer chooses the channels it names, so those
 * requests are few (`MAX_PEER_CLIENT_REQUESTS`), come at most a few an hour,
 * never take the place of a request from this browser, and leave once
 * nothing waits for them.
 */
export class Clients {
  readonly #storage: KeyValueStore
  readonly #now: () => number
  #records: ClientRecord[]
  /** Each change reads, changes and writes the whole list: one at a time, so none is lost. */
  readonly #changes = new PQueue({ concurrency: 1 })

  private constructor (storage: KeyValueStore, records: ClientRecord[], now: () => number) {
    this.#storage = storage
    this.#records = records
    this.#now = now
  }

  /** Loads the list, so `allowed()` answers at once from then on. */
  static async load (storage: KeyValueStore, now: () => number = Date.now): Promise<Clients> {
    return new Clients(storage, (await storage.get<ClientRecord[]>(CLIENTS_KEY) ?? []).map(normalized), now)
  }

  /** Every client, allowed ones first, then requests, newest first. */
  list (): ClientView[] {
    const rank = (r: ClientRecord): number => r.state === 'allowed' ? 0 : 1
    return [...this.#records]
      .sort((a, b) => rank(a) - rank(b) || b.lastAt - a.lastAt)
      .map(r => ({ ...r, kind: describeClient(r.client).kind }))
  }

  allowed (client: string): boolean {
    return this.#records.some(r => r.client === client && r.state === 'allowed')
  }

  /** A client that is not allowed asked for something on this browser: it is listed (or its request counted again). */
  async refused (client: ClientId): Promise<void> {
    await this.#change(records => this.#askedHere(records, client))
  }

  /** Peers sent `count` messages on the channel of a client that is not allowed: they wait for it. */
  async waiting (client: ClientId, count: number): Promise<void> {
    await this.#change(records => this.#namedByPeers(records, client, count))
  }

  /** How many messages each not-allowed client's channel holds now (after old ones expired); a request only peers made goes with its last message. */
  async setWaiting (held: Map<string, number>): Promise<void> {
    await this.#change(records => records
      .map(r => r.state === 'allowed' ? r : { ...r, waiting: held.get(r.client) ?? 0 })
      .filter(r => !byPeers(r) || r.waiting > 0))
  }

  /** Lets the client use Peerlink on its channel. At `MAX_CLIENTS` allowed ones, `ResourceLimitError`. */
  async allow (client: ClientId): Promise<ClientView> {
    await this.#change(records => {
      const now = this.#now()
      const allowed = records.filter(r => r.state === 'allowed').length
      const found = records.find(r => r.client === client)
      if (found?.state === 'allowed') return records
      if (allowed >= MAX_CLIENTS) throw new ResourceLimitError('clients', MAX_CLIENTS, allowed + 1)
      if (found != null) return records.map(r => r === found ? { ...r, state: 'allowed', waiting: 0 } : r)
      return this.#makeRoom(records).concat({ client, state: 'allowed', requestedBy: 'client', attempts: 0, firstAt: now, lastAt: now, waiting: 0 })
    })
    return this.list().find(c => c.client === client)!
  }

  /** Takes the client off the list, allowed or asking: its next request is refused (and listed again). */
  async remove (client: string): Promise<void> {
    await this.#change(records => records.filter(r => r.client !== client))
  }

  /** The client asked here: its request is its own from now on, in the room kept for this browser's requests. */
  #askedHere (records: ClientRecord[], client: ClientId): ClientRecord[] {
    const now = this.#now()
    const found = records.find(r => r.client === client)
    if (found?.state === 'allowed') return records
    if (found != null && found.requestedBy === 'client') {
      return records.map(r => r === found ? { ...r, attempts: r.attempts + 1, lastAt: now } : r)
    }
    const others = records.filter(r => r !== found)
    const room = this.#makeRoom(others)
    // Full of allowed clients: the request is refused without being listed (one peers made stays as it was).
    if (room.filter(r => !byPeers(r)).length >= MAX_CLIENTS) return records
    const asked: ClientRecord = found != null
      ? { ...found, requestedBy: 'client', attempts: found.attempts + 1, lastAt: now }
      : { client, state: 'requested', requestedBy: 'client', attempts: 1, firstAt: now, lastAt: now, waiting: 0 }
    return room.concat(asked)
  }

  /** Peers sent messages for a client that is not allowed: counted, and listed apart if there is room and time for a new one. */
  #namedByPeers (records: ClientRecord[], client: ClientId, count: number): ClientRecord[] {
    const now = this.#now()
    const found = records.find(r => r.client === client)
    if (found?.state === 'allowed') return records
    if (found != null) return records.map(r => r === found ? { ...r, waiting: r.waiting + count, lastAt: now } : r)
    const named = records.filter(byPeers)
    if (named.length >= MAX_PEER_CLIENT_REQUESTS) return records
    if (named.filter(r => now - r.firstAt < HOUR_MS).length >= MAX_PEER_CLIENT_REQUESTS_PER_HOUR) return records
    return records.concat({ client, state: 'requested', requestedBy: 'peers', attempts: 0, firstAt: now, lastAt: now, waiting: count })
  }

  /** The list with room for one more of this browser's clients: its request heard from least recently goes. */
  #makeRoom (records: ClientRecord[]): ClientRecord[] {
    const mine = records.filter(r => !byPeers(r))
    if (mine.length < MAX_CLIENTS) return records
    const requests = mine.filter(r => r.state === 'requested')
    if (requests.length === 0) return records
    const oldest = requests.reduce((a, b) => a.lastAt <= b.lastAt ? a : b)
    return records.filter(r => r !== oldest)
  }

  async #change (change: (records: ClientRecord[]) => ClientRecord[]): Promise<void> {
    await this.#changes.add(async () => {
      const next = change(this.#records)
      if (next === this.#records) return
      await this.#storage.set(CLIENTS_KEY, next)
      this.#records = next
    })
  }
}
