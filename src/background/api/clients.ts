import PQueue from 'p-queue'
import type { ClientView } from '../../api/protocol.ts'
import { describeClient, type ClientId } from '../../common/client-id.ts'
import { MAX_CLIENTS } from '../../common/constants.ts'
import { ResourceLimitError } from '../../common/errors/index.ts'
import type { KeyValueStore } from '../profile/index.ts'

const CLIENTS_KEY = 'clients'

type ClientRecord = Omit<ClientView, 'kind'>

/**
 * The other extensions and web origins that asked to use Peerlink, and
 * those the user allowed: persisted, bounded. A client is listed as a
 * request when it is refused, or when peers send it messages before the
 * user allowed it (they wait on its channel).
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
    return new Clients(storage, await storage.get<ClientRecord[]>(CLIENTS_KEY) ?? [], now)
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

  /** A client that is not allowed asked for something: it is listed (or its request counted again). */
  async refused (client: ClientId): Promise<void> {
    await this.#change(records => this.#request(records, client, { attempts: 1 }))
  }

  /** Peers sent `count` messages on the channel of a client that is not allowed: they wait for it. */
  async waiting (client: ClientId, count: number): Promise<void> {
    await this.#change(records => this.#request(records, client, { waiting: count }))
  }

  /** How many messages each not-allowed client's channel holds now (after old ones expired). */
  async setWaiting (held: Map<string, number>): Promise<void> {
    await this.#change(records => records.map(r => r.state === 'allowed' ? r : { ...r, waiting: held.get(r.client) ?? 0 }))
  }

  /** Lets the client use Peerlink on its channel. At `MAX_CLIENTS` allowed ones, `ResourceLimitError`. */
  async allow (client: ClientId): Promise<ClientView> {
    await this.#change(records => {
      const now = this.#now()
      const found = records.find(r => r.client === client)
      if (found != null) return records.map(r => r === found ? { ...r, state: 'allowed', waiting: 0 } : r)
      const allowed = records.filter(r => r.state === 'allowed').length
      if (allowed >= MAX_CLIENTS) throw new ResourceLimitError('clients', MAX_CLIENTS, allowed + 1)
      return this.#makeRoom(records).concat({ client, state: 'allowed', attempts: 0, firstAt: now, lastAt: now, waiting: 0 })
    })
    return this.list().find(c => c.client === client)!
  }

  /** Takes the client off the list, allowed or asking: its next request is refused (and listed again). */
  async remove (client: string): Promise<void> {
    await this.#change(records => records.filter(r => r.client !== client))
  }

  #request (records: ClientRecord[], client: ClientId, add: { attempts?: number, waiting?: number }): ClientRecord[] {
    const now = this.#now()
    const found = records.find(r => r.client === client)
    if (found?.state === 'allowed') return records
    if (found != null) {
      return records.map(r => r === found
        ? { ...r, attempts: r.attempts + (add.attempts ?? 0), waiting: r.waiting + (add.waiting ?? 0), lastAt: now }
        : r)
    }
    const room = this.#makeRoom(records)
    // Full of allowed clients: the request is refused without being listed.
    if (room.length >= MAX_CLIENTS) return records
    return room.concat({ client, state: 'requested', attempts: add.attempts ?? 0, firstAt: now, lastAt: now, waiting: add.waiting ?? 0 })
  }

  /** The list with room for one more: the request heard from least recently goes. */
  #makeRoom (records: ClientRecord[]): ClientRecord[] {
    if (records.length < MAX_CLIENTS) return records
    const requests = records.filter(r => r.state === 'requested')
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
