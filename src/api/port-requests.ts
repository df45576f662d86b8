import type { EventPort } from './api-transport.ts'
import type { SerializedError } from '../common/errors/index.ts'
import type { ApiEnvelope, PortAnswer, PortRequest } from './protocol.ts'

/** A long-lived port requests go over: an events port that can also post. */
export interface RequestPort extends EventPort {
  postMessage: (message: PortRequest) => void
}

/** What a port that closed under a request rejects with: a transport failure, so the request is asked again. */
const PORT_CLOSED = 'message port closed'

/**
 * Sends each request over one long-lived port, opened on the first request
 * and again after it closes (the browser closes it when it stops the
 * worker: what was waiting rejects as a transport failure, and is asked
 * again, every method being safe to repeat). Where no port can be opened,
 * each request goes as a one-shot message through `fallback`; so do the
 * requests of a port that closed before anything came over it (no Peerlink
 * there, or a worker stopping as it opened), so that what a one-shot
 * message would report is reported. A port Peerlink refused (a client the
 * user has not allowed, or one over its ports) answers its requests with
 * the refusal.
 */
export function makePortSend (connect: () => RequestPort, fallback: (envelope: ApiEnvelope) => Promise<unknown>): (envelope: ApiEnvelope) => Promise<unknown> {
  let port: RequestPort | undefined
  let unavailable = false
  let nextId = 0
  const waiting = new Map<number, { port: RequestPort, envelope: ApiEnvelope, resolve: (answer: unknown) => void, reject: (err: Error) => void }>()
  /** Ports something came over. */
  const heard = new WeakSet<RequestPort>()

  /** Settles every request waiting on `which`: with `answer` when given, else one-shot if the port was never heard from, else as a transport failure. */
  const closed = (which: RequestPort, answer?: unknown): void => {
    if (port === which) port = undefined
    for (const [id, request] of waiting) {
      if (request.port !== which) continue
      waiting.delete(id)
      if (answer != null) request.resolve(answer)
      else if (!heard.has(which)) fallback(request.envelope).then(request.resolve, request.reject)
      else request.reject(new Error(PORT_CLOSED))
    }
  }

  const open = (): RequestPort | undefined => {
    if (port != null || unavailable) return port
    let opened: RequestPort
    try {
      opened = connect()
    } catch {
      unavailable = true
      return undefined
    }
    opened.onMessage.addListener((message: unknown) => {
      heard.add(opened)
      const refused = message as { type?: unknown, error?: SerializedError }
      if (refused.type === 'refused' && refused.error != null) {
        closed(opened, { ok: false, error: refused.error })
        return
      }
      const { id, response } = message as Partial<PortAnswer>
      const request = typeof id === 'number' ? waiting.get(id) : undefined
      if (request == null) return
      waiting.delete(id!)
      request.resolve(response)
    })
    opened.onDisconnect.addListener(() => { closed(opened) })
    port = opened
    return opened
  }

  return async (envelope) => {
    const current = open()
    if (current == null) return await fallback(envelope)
    const id = nextId++
    return await new Promise((resolve, reject) => {
      waiting.set(id, { port: current, envelope, resolve, reject })
      try {
        current.postMessage({ id, envelope })
      } catch {
        closed(current)
      }
    })
  }
}
