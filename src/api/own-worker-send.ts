import browser from 'webextension-polyfill'
import { makePortSend, type RequestPort } from './port-requests.ts'
import { REQUESTS_PORT_NAME, type ApiEnvelope } from './protocol.ts'

/** Sends requests to this extension's own worker (from its pages or its content script): over one long-lived port, one-shot messages where there is none. */
export function makeOwnWorkerSend (): (envelope: ApiEnvelope) => Promise<unknown> {
  // The polyfill's Port type lacks the typed postMessage; at run time it is the port makePortSend expects.
  return makePortSend(() => browser.runtime.connect({ name: REQUESTS_PORT_NAME }) as unknown as RequestPort, async (envelope) => await browser.runtime.sendMessage(envelope))
}
