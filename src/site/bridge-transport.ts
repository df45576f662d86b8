/**
 * The page's way to Peerlink: an `ApiTransport` over `window.postMessage` to
 * Peerlink's bridge, so `window.peerlink` is the same client other
 * extensions use (retries, typed errors, re-subscription).
 */
import type { ApiTransport, EventPort } from '../api/api-transport.ts'
import { isOurs, post, SITE_TAG, type ToPage } from './site-message.ts'

export interface BridgeTransport extends ApiTransport {
  /** Called once if the bridge says this origin is not allowed. */
  onWithdrawn: (listener: () => void) => void
}

/** Makes the transport and starts listening for the bridge. */
export function makeBridgeTransport (): BridgeTransport {
  let nextCall = 0
  let nextPort = 0
  const calls = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  const ports = new Map<number, { message: Array<(m: unknown) => void>, disconnect: Array<() => void> }>()
  const withdrawn: Array<() => void> = []
  let markReady: () => void = () => {}
  // Requests wait for the bridge: at document_start either script may run first.
  const ready = new Promise<void>((resolve) => { markReady = resolve })

  addEventListener('message', (event) => {
    if (!isOurs(event, 'page')) return
    const message = event.data as ToPage
    switch (message.type) {
      case 'ready': markReady(); break
      case 'withdrawn': withdrawn.forEach(listener => { listener() }); break
      case 'response': {
        const call = calls.get(message.call)
        calls.delete(message.call)
        if (message.failure != null) call?.reject(new Error(message.failure))
        else call?.resolve(message.response)
        break
      }
      case 'event': ports.get(message.port)?.message.forEach(listener => { listener(message.event) }); break
      case 'closed': {
        const port = ports.get(message.port)
        ports.delete(message.port)
        port?.disconnect.forEach(listener => { listener() })
        break
      }
    }
  })
  post({ tag: SITE_TAG, to: 'bridge', type: 'hello' })

  return {
    onWithdrawn: (listener) => { withdrawn.push(listener) },
    send: async (envelope) => {
      await ready
      const call = nextCall++
      return await new Promise((resolve, reject) => {
        calls.set(call, { resolve, reject })
        post({ tag: SITE_TAG, to: 'bridge', type: 'request', call, envelope })
      })
    },
    connect: (): EventPort => {
      const id = nextPort++
      const listeners = { message: [] as Array<(m: unknown) => void>, disconnect: [] as Array<() => void> }
      ports.set(id, listeners)
      void ready.then(() => { if (ports.has(id)) post({ tag: SITE_TAG, to: 'bridge', type: 'connect', port: id }) })
      return {
        onMessage: { addListener: (listener) => { listeners.message.push(listener) } },
        onDisconnect: { addListener: (listener) => { listeners.disconnect.push(listener) } },
        disconnect: () => {
          ports.delete(id)
          post({ tag: SITE_TAG, to: 'bridge', type: 'disconnect', port: id })
        }
      }
    }
  }
}
