/**
 * One end of the Comlink link between the worker and the offscreen document.
 *
 * Comlink alone waits forever on a call whose other side died. A `LinkEnd`
 * numbers each link with an epoch: when a link is replaced or closed, every
 * call still pending on it rejects with `LinkClosedError`, and a call made
 * while no link is up waits (bounded) for the next one. Errors travel as
 * data so a typed error keeps its name and fields across the link.
 */
import * as Comlink from 'comlink'
import { LinkClosedError, deserializeError, serializeError, type SerializedError } from '../common/errors/index.ts'

type AnyFn = (...args: any[]) => unknown
/** An API exposed over the link: a plain object of functions. */
export type LinkApi = { [name: string]: AnyFn }

type Outcome = { ok: true, value: unknown } | { ok: false, error: SerializedError }
type Guarded = Record<string, (...args: unknown[]) => Promise<Outcome>>

/** Exposes `api` on `port`, turning thrown errors into data that crosses the link intact. */
export function exposeOnPort (api: LinkApi, port: MessagePort): void {
  const guarded: Guarded = {}
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
}

export interface LinkEndOptions {
  /** How long a call waits for a link when none is up. */
  waitForLinkMs: number
  /**
   * How long a call may go unanswered. The other side of a MessagePort can
   * vanish without a sound (a stopped service worker), so silence past this
   * closes the link: the call and every other pending one reject with
   * `LinkClosedError`, and retries wait for the next link.
   */
  callTimeoutMs?: (method: string) => number
  /** Called when a call finds no link, so the owner can ask for one. */
  onNeedLink?: () => void
}

/** The calling side of a link; `attach()` a new port after every reconnection. */
export class LinkEnd<Api extends LinkApi> {
  readonly #options: LinkEndOptions
  #link: Link | undefined
  #waiters = new Set<() => void>()

  constructor (options: LinkEndOptions) {
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
    const link: Link = { epoch, port, remote: Comlink.wrap<Guarded>(port), closed: makeDeferred() }
    this.#link = link
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

  /** Calls `method` on the other side. Rejects with the remote's typed error, or `LinkClosedError`. */
  async call<K extends keyof Api & string> (method: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> {
    const link = this.#link ?? await this.#waitForLink()
    const timeoutMs = this.#options.callTimeoutMs?.(method)
    let timer: ReturnType<typeof setTimeout> | undefined
    if (timeoutMs != null) {
      timer = setTimeout(() => {
        if (this.#link === link) this.close(`no answer to ${method} within ${timeoutMs} ms`)
      }, timeoutMs)
    }
    try {
      const outcome = await Promise.race([link.remote[method]!(...args), link.closed.promise])
      if (!outcome.ok) throw deserializeError(outcome.error)
      return outcome.value as Awaited<ReturnType<Api[K]>>
    } finally {
      clearTimeout(timer)
    }
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
