/**
 * What every Peerlink client is built on, whichever way its messages travel:
 * Peerlink's own pages (`runtime.sendMessage`), another extension
 * (`runtime.sendMessage(PEERLINK_ID, …)`) or an allowed web page (through
 * Peerlink's content script). The retries and the rebuilding of typed errors
 * live here once.
 */
import { deserializeError } from '../common/errors/index.ts'
import { API_TAG, type ApiEnvelope, type ApiMethod, type ApiRequest, type ApiResponse } from './protocol.ts'
import { withTransportRetry } from './transport-retry.ts'

/** One events port, however it is carried: the few members of `runtime.Port` a client uses. */
export interface EventPort {
  onMessage: { addListener: (listener: (message: unknown) => void) => void }
  onDisconnect: { addListener: (listener: () => void) => void }
  disconnect: () => void
}

/** How a client reaches Peerlink's worker. */
export interface ApiTransport {
  /** Sends one envelope; resolves with what came back (`undefined` when nothing did), rejects when it could not be delivered. */
  send: (envelope: ApiEnvelope) => Promise<unknown>
  /** Opens a `peerlink/events` port. */
  connect: () => EventPort
}

/** A request function typed by a map of method → answer (Peerlink's pages and clients see different answers). */
export type RequestFn<Results> = <M extends keyof Results & ApiMethod>(request: Extract<ApiRequest, { method: M }>) => Promise<Results[M]>

/**
 * Makes the request function over `transport`: each request is repeated
 * while the worker is restarting (every method is safe to repeat) and a
 * refusal is thrown as its typed error.
 */
export function makeRequest<Results> (transport: ApiTransport): RequestFn<Results> {
  return async (request) => await withTransportRetry(async () => {
    const response = await transport.send({ api: API_TAG, request }) as ApiResponse | undefined
    if (response == null) throw new Error('Peerlink did not answer')
    // Thrown as is: a transport failure reported as an error (a stopping worker) is repeated.
    if (!response.ok) throw deserializeError(response.error)
    return response.value as never
  })
}

/** How long one `awaitDelivery` call waits before asking again: below the browser's answer timeout. */
const AWAIT_DELIVERY_STEP_MS = 25_000

/** Resolves once message `id` is delivered (rejects with its DeliveryFailedError if it failed), however long it takes. */
export async function awaitDelivered<M extends { state: string }> (request: (req: Extract<ApiRequest, { method: 'awaitDelivery' }>) => Promise<M>, id: string): Promise<M> {
  while (true) {
    const message = await request({ method: 'awaitDelivery', id, timeoutMs: AWAIT_DELIVERY_STEP_MS })
    if (message.state === 'delivered') return message
  }
}
