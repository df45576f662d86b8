import type { KeyValueStore } from './profile/index.ts'

/**
 * A system notification, as the worker decides it; the host words it (from
 * `_locales`) and shows it. `messages`: unread messages from one contact,
 * `last` the newest of them; `request`: an unknown peer asked to connect;
 * `gave-up`: reconnection to a contact gave up.
 */
export type Notice =
  | { kind: 'messages', peerId: string, name: string, count: number, last: { kind: 'text', text: string } | { kind: 'bytes' } }
  | { kind: 'request', peerId: string }
  | { kind: 'gave-up', peerId: string, name: string }

export interface NoticesDeps {
  /** Shows a notification under `id`; showing one under an id already shown replaces it. */
  show: (id: string, notice: Notice) => void
  clear: (id: string) => void
  /** Whether the person wants notices now: the global switch, and (for a contact) not muted. */
  wanted: (peerId?: string) => Promise<boolean>
  /** The contact's unread messages now: 0 once a page showed them. */
  unread: (peerId: string) => Promise<number>
  /** The contact's name as the person knows it. */
  name: (peerId: string) => Promise<string>
  storage: KeyValueStore
  /** How long a burst may go on before its notice shows; a page showing the conversation reads it first. */
  delayMs: number
  log: (format: string, ...args: unknown[]) => void
}

/** The connection requests already told about: each is told once, as long as it stays a request. */
const TOLD_REQUESTS_KEY = 'noticed-requests'
/** How many told requests are remembered: a flood of strangers cannot grow storage. */
const MAX_TOLD_REQUESTS = 256

/** The notification id of a notice; `noticeTarget` reads it back when one is clicked. */
export function noticeId (kind: Notice['kind'], peerId: string): string {
  return `${kind}/${peerId}`
}

/** What a clicked notification is about: its kind and peer, if it is one of ours. */
export function noticeTarget (id: string): { kind: Notice['kind'], peerId: string } | undefined {
  const match = /^(messages|request|gave-up)\/(.+)$/.exec(id)
  return match == null ? undefined : { kind: match[1] as Notice['kind'], peerId: match[2]! }
}

interface Burst {
  timer: ReturnType<typeof setTimeout>
  last: { kind: 'text', text: string } | { kind: 'bytes' }
}

/**
 * Decides the notifications the person sees: one per contact for a burst of
 * messages (replaced as it grows, with the count of unread ones), none for
 * messages a page reads within `delayMs`, none while the switch is off or
 * the contact muted; each peer's connection request and each give-up once.
 */
export class Notices {
  readonly #deps: NoticesDeps
  readonly #bursts = new Map<string, Burst>()
  #toldRequests: Promise<string[]> | undefined

  constructor (deps: NoticesDeps) {
    this.#deps = deps
  }

  /** Messages on Peerlink's own channel came from `peerId`; `last` is the newest. */
  received (peerId: string, last: { kind: 'text' | 'bytes', text: string }): void {
    const newest = last.kind === 'text' ? { kind: 'text' as const, text: last.text } : { kind: 'bytes' as const }
    const burst = this.#bursts.get(peerId)
    if (burst != null) {
      burst.last = newest
      return
    }
    const timer = setTimeout(() => { this.#showMessages(peerId).catch((err: unknown) => { this.#deps.log('message notice for %s failed: %o', peerId, err) }) }, this.#deps.delayMs)
    this.#bursts.set(peerId, { timer, last: newest })
  }

  /** The person saw the conversation: its notice goes, and a burst not yet shown never is. */
  read (peerId: string): void {
    const burst = this.#bursts.get(peerId)
    if (burst != null) clearTimeout(burst.timer)
    this.#bursts.delete(peerId)
    this.#deps.clear(noticeId('messages', peerId))
  }

  /** Reconnection to a contact gave up (once per give-up: it stays given up until the person reconnects). */
  async gaveUp (peerId: string): Promise<void> {
    if (!await this.#deps.wanted(peerId)) return
    this.#deps.show(noticeId('gave-up', peerId), { kind: 'gave-up', peerId, name: await this.#deps.name(peerId) })
  }

  /** The person reconnected to the contact: its give-up notice goes. */
  reconnected (peerId: string): void {
    this.#deps.clear(noticeId('gave-up', peerId))
  }

  /** The person removed or muted the contact: every notice about it goes. */
  forget (peerId: string): void {
    this.read(peerId)
    this.reconnected(peerId)
  }

  /**
   * The connection requests now waiting: a peer's first is told, once. A
   * peer refused and asking again is not told again; those told are kept
   * across restarts, the newest `MAX_TOLD_REQUESTS`.
   */
  async requests (peerIds: string[]): Promise<void> {
    const told = await (this.#toldRequests ??= this.#deps.storage.get<string[]>(TOLD_REQUESTS_KEY).then(ids => ids ?? []))
    for (const gone of told.filter(id => !peerIds.includes(id))) this.#deps.clear(noticeId('request', gone))
    const fresh = peerIds.filter(id => !told.includes(id))
    if (fresh.length === 0) return
    const now = [...told, ...fresh].slice(-MAX_TOLD_REQUESTS)
    this.#toldRequests = Promise.resolve(now)
    await this.#deps.storage.set(TOLD_REQUESTS_KEY, now)
    if (!await this.#deps.wanted()) return
    for (const peerId of fresh) this.#deps.show(noticeId('request', peerId), { kind: 'request', peerId })
  }

  /** The person accepted or refused a connection request: its notice goes. */
  answered (peerId: string): void {
    this.#deps.clear(noticeId('request', peerId))
  }

  /** Cancels the bursts not yet shown (the worker's parts are being built again). */
  stop (): void {
    for (const burst of this.#bursts.values()) clearTimeout(burst.timer)
    this.#bursts.clear()
  }

  async #showMessages (peerId: string): Promise<void> {
    const burst = this.#bursts.get(peerId)
    this.#bursts.delete(peerId)
    if (burst == null) return
    const count = await this.#deps.unread(peerId)
    // A page showing the conversation read them: nothing to tell.
    if (count === 0 || !await this.#deps.wanted(peerId)) return
    this.#deps.show(noticeId('messages', peerId), { kind: 'messages', peerId, name: await this.#deps.name(peerId), count, last: burst.last })
  }
}
