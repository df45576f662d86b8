import type { EventPort } from './api-transport.ts'
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
 * each request goes as a one-shot message through `fallback`.
 */
export function makePortSend (connect: () => RequestPort, fallback: (envelope: ApiEnvelope) => Promise<unknown>): (envelope: ApiEnvelope) => Promise<unknown> {
  let port: RequestPort | undefined
  let unavailable = false
  let nextId = 0
  const waiting = new Map<number, { port: RequestPort, resolve: (answer: unknown) => void, reject: (err: Error) => void }>()

  const closed = (which: RequestPort): void => {
    if (port === which) port = undefined
    for (const [id, request] of waiting) {
      if (request.port !== which) continue
      waiting.delete(id)
      request.reject(new Error(PORT_CLOSED))
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
      waiting.set(id, { port: current, resolve, reject })
      try {
        current.postMessage({ id, envelope })
      } catch {
        closed(current)
      }
    })
  }
}
