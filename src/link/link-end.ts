/**
 * One end of the Comlink link between the worker and the offscreen document.
 *
 * Comlink alone waits forever on a call whose other side died. A `LinkEnd`
 * numbers each link with an epoch: when a link is replaced or closed, every
 * call still pending on it rejects with `LinkClosedError`, and a call made
 * while no link is up waits (bounded) for the next one. Each call has its own
 * deadline and fails alone past it (`LinkCallTimeoutError`); whether the link
 * itself is alive is decided apart from any call, by probing it when it has
 * been silent. Errors travel as data so a typed error keeps its name and
 * fields across the link.
 */
import * as Comlink from 'comlink'
import { LinkCallTimeoutError, LinkClosedError, deserializeError, serializeError, type SerializedError } from '../common/errors/index.ts'

type AnyFn = (...args: any[]) => unknown
/** An API exposed over the link: a plain object of functions. */
export type LinkApi = { [name: string]: AnyFn }

/** Every method's deadline, in ms: the compiler checks it names each method of `Api`. */
export type LinkDeadlines<Api> = { readonly [K in keyof Api]: number }

type Outcome = { ok: true, value: unknown } | { ok: false, error: SerializedError }
type Guarded = Record<string, (...args: unknown[]) => Promise<Outcome>>

/** The method every exposed API answers, so a silent link can be probed without side effects. */
const PROBE = '#probe'

/** Exposes `api` on `port`, turning thrown errors into data that crosses the link intact. */
export function exposeOnPort (api: LinkApi, port: MessagePort): void {
  const guarded: Guarded = { [PROBE]: async () => ({ ok: true, value: null }) }
  for (const [name, fn] of Object.entries(api)) {
    guarded[name] = async (...args) => {
      try {
        return { ok: true, value: await fn(...args) }
      } catch (err) {
        return { ok: false, error: serializeError(err) }
      }
    }
  }
  Comlink.expose(guarded, port)
}

interface Deferred {
  promise: Promise<never>
  reject: (err: Error) => void
}

function makeDeferred (): Deferred {
  let reject!: (err: Error) => void
  const promise = new Promise<never>((_resolve, rej) => { reject = rej })
  promise.catch(() => {}) // observed by callers through Promise.race only
  return { promise, reject }
}

interface Link {
  epoch: number
  port: MessagePort
  remote: Comlink.Remote<Guarded>
  closed: Deferred
  /** When anything last arrived from the other side. */
  heardAt: number
  probing: boolean
}

export interface LinkEndOptions<Api> {
  /** How long a call waits for a link when none is up. */
  waitForLinkMs: number
  /** How long each method's call may take before it fails alone. */
  deadlinesMs: LinkDeadlines<Api>
  /**
   * The other side of a MessagePort can vanish without a sound (a stopped
   * service worker). While a call is pending and nothing has been heard for
   * this long, the link is probed; an unanswered probe closes it, and every
   * pending call rejects with `LinkClosedError`.
   */
  silenceMs: number
  /** Called when a call finds no link, so the owner can ask for one. */
  onNeedLink?: () => void
}

/** The calling side of a link; `attach()` a new port after every reconnection. */
export class LinkEnd<Api extends LinkApi> {
  readonly #options: LinkEndOptions<Api>
  #link: Link | undefined
  #waiters = new Set<() => void>()

  constructor (options: LinkEndOptions<Api>) {
    this.#options = options
  }

  /** The epoch of the current link, or -1 when none is up. */
  get epoch (): number {
    return this.#link?.epoch ?? -1
  }

  get connected (): boolean {
    return this.#link != null
  }

  /** Starts using `port` (link `epoch`); calls pending on the previous link reject. */
  attach (port: MessagePort, epoch: number): void {
    this.close(`replaced by link ${epoch}`)
    const link: Link = { epoch, port, remote: Comlink.wrap<Guarded>(port), closed: makeDeferred(), heardAt: Date.now(), probing: false }
    this.#link = link
    port.addEventListener('message', () => { link.heardAt = Date.now() })
    // Chromium fires `close` when the context holding the other end is destroyed
    // (a stopped worker, a closed document): the link is gone at once, not after a timeout.
    port.addEventListener('close', () => { if (this.#link === link) this.close('the other side went away') })
    for (const wake of this.#waiters) wake()
    this.#waiters.clear()
  }

  /** Drops the current link; its pending calls reject with `LinkClosedError`. */
  close (reason: string): void {
    const link = this.#link
    if (link == null) return
    this.#link = undefined
    link.closed.reject(new LinkClosedError(link.epoch, reason))
    link.remote[Comlink.releaseProxy]()
    link.port.close()
  }

  /**
   * Calls `method` on the other side. Rejects with the remote's typed error,
   * `LinkCallTimeoutError` past the method's deadline, or `LinkClosedError`.
   */
  async call<K extends keyof Api & string> (method: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> {
    const link = this.#link ?? await this.#waitForLink()
    const deadlineMs = this.#options.deadlinesMs[method]
    let deadline: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(() => { reject(new LinkCallTimeoutError(method, deadlineMs, link.epoch)) }, deadlineMs)
    })
    // A link already silent for a while is probed at once: a worker stopped since is found out in half the limit.
    this.#checkSilence(link)
    const watch = setInterval(() => { this.#checkSilence(link) }, this.#options.silenceMs / 2)
    try {
      const outcome = await Promise.race([link.remote[method]!(...args), link.closed.promise, timedOut])
      if (!outcome.ok) throw deserializeError(outcome.error)
      return outcome.value as Awaited<ReturnType<Api[K]>>
    } finally {
      clearTimeout(deadline)
      clearInterval(watch)
    }
  }

  /** Probes a link silent for half of `silenceMs`; no answer within the other half closes it. */
  #checkSilence (link: Link): void {
    const halfMs = this.#options.silenceMs / 2
    if (link.probing || Date.now() - link.heardAt < halfMs || this.#link !== link) return
    link.probing = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const unanswered = new Promise<false>((resolve) => { timer = setTimeout(() => { resolve(false) }, halfMs) })
    void Promise.race([link.remote[PROBE]!().then(() => true, () => false), unanswered]).then((answered) => {
      clearTimeout(timer)
      link.probing = false
      if (!answered && this.#link === link) this.close(`silent for ${this.#options.silenceMs} ms`)
    })
  }

  async #waitForLink (): Promise<Link> {
    this.#options.onNeedLink?.()
    return await new Promise<Link>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer)
        this.#waiters.delete(wake)
        if (this.#link != null) resolve(this.#link)
        else reject(new LinkClosedError(-1, 'no link'))
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(wake)
        reject(new LinkClosedError(-1, `no link within ${this.#options.waitForLinkMs} ms`))
      }, this.#options.waitForLinkMs)
      this.#waiters.add(wake)
    })
  }
}
