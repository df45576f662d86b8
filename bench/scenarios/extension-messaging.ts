import type { Page, Worker } from '@playwright/test'

/** Round trips between an extension page and the extension's service worker, two ways. */
export interface MessagingRoundTrips {
  /** `runtime.sendMessage` and its answer, as Peerlink's pages send every request. */
  runtimeMs: number
  /** A `MessageChannel` port handed to the service worker, as the offscreen document's link is. */
  channelMs: number
  /** A long-lived `runtime.connect` port, one message each way per request. */
  portMs: number
}

/**
 * What one hop between a page and the worker costs, apart from what the
 * worker does with it: extension messaging (one-shot or a long-lived
 * port) goes through the browser process, a MessageChannel between two
 * contexts of the same extension process does not. A listener answering at once is added to the running
 * worker for the measure (it lives until the worker stops).
 */
export async function messagingRoundTrips (page: Page, worker: Worker, count = 300): Promise<MessagingRoundTrips> {
  // The helper tsx's keepNames wraps named functions in (see allowNamedFunctions in measure.ts).
  await worker.evaluate('globalThis.__name ??= (f) => f')
  await worker.evaluate(() => {
    chrome.runtime.onMessage.addListener((message: unknown, _sender: unknown, reply: (answer: unknown) => void) => {
      if ((message as { benchPing?: true } | undefined)?.benchPing !== true) return undefined
      reply({ pong: true })
      return false
    })
    chrome.runtime.onConnect.addListener((port: chrome.runtime.Port) => {
      if (port.name !== 'bench/echo') return
      port.onMessage.addListener((m: unknown) => { port.postMessage(m) })
    })
    globalThis.addEventListener('message', (event: Event) => {
      const { data, ports } = event as MessageEvent<{ benchChannel?: true }>
      if (data?.benchChannel !== true) return
      const port = ports[0]!
      port.onmessage = (m) => { port.postMessage(m.data) }
    })
  })
  return await page.evaluate(async (count) => {
    /** The median time of `count` round trips, one after another. */
    const medianMs = async (roundTrip: (i: number) => Promise<unknown>): Promise<number> => {
      const times: number[] = []
      for (let i = 0; i < count; i++) {
        const started = performance.now()
        await roundTrip(i)
        times.push(performance.now() - started)
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!
    }
    const runtimeMs = await medianMs(async () => await chrome.runtime.sendMessage({ benchPing: true }))
    const worker = (await navigator.serviceWorker.getRegistration())!.active!
    const channel = new MessageChannel()
    worker.postMessage({ benchChannel: true }, [channel.port2])
    const text = 'x'.repeat(100)
    const echo = async (i: number): Promise<void> => { await new Promise(resolve => { channel.port1.onmessage = resolve; channel.port1.postMessage({ i, text }) }) }
    await echo(-1)
    const channelMs = await medianMs(echo)
    channel.port1.close()
    const port = chrome.runtime.connect({ name: 'bench/echo' })
    const viaPort = async (i: number): Promise<void> => {
      await new Promise<void>(resolve => {
        const answer = (): void => { port.onMessage.removeListener(answer); resolve() }
        port.onMessage.addListener(answer)
        port.postMessage({ i, text })
      })
    }
    await viaPort(-1)
    const portMs = await medianMs(viaPort)
    port.disconnect()
    return { runtimeMs, channelMs, portMs }
  }, count)
}
