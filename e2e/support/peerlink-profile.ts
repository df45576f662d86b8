import type { ApiRequest, ApiResults, MessageView, Status } from '../../src/api/protocol.ts'
import { isTransportFailure, withTransportRetry } from '../../src/api/transport-retry.ts'
import { deserializeError, type SerializedError } from '../../src/common/errors/index.ts'

type Answer<T> = { ok: true, value: T } | { ok: false, error: SerializedError } | undefined

/** A browser profile with Peerlink installed, driven through the API as a page drives it; the browser is the subclass's. */
export abstract class PeerlinkProfile {
  readonly name: string

  protected constructor (name: string) {
    this.name = name
  }

  /** Sends one API envelope from one of the extension's pages and returns what Peerlink answered. */
  protected abstract sendFromPage (envelope: { api: string, request: ApiRequest }): Promise<unknown>

  /**
   * Calls the Peerlink API exactly as a page does, repeating it when a
   * restart swallowed the answer (as the page client does); rejects with the
   * typed error Peerlink answered.
   */
  async api<M extends keyof ApiResults> (request: Extract<ApiRequest, { method: M }>): Promise<ApiResults[M]> {
    const response = await withTransportRetry(async () => {
      const answer = await this.sendFromPage({ api: 'peerlink/1', request }) as Answer<ApiResults[M]>
      // A background stopped mid-request can also answer nothing at all, or an error of the browser's.
      if (answer == null) throw new Error(`${this.name}: Peerlink did not answer ${request.method}`)
      if (!answer.ok && isTransportFailure(answer.error.message)) throw deserializeError(answer.error)
      return answer
    })
    if (!response.ok) throw deserializeError(response.error)
    return response.value
  }

  async status (): Promise<Status> {
    return await this.api({ method: 'getStatus' })
  }

  async messages (peerId: string, limit = 200): Promise<MessageView[]> {
    return await this.api({ method: 'getMessages', peerId, limit })
  }

  /** Polls the status until `predicate` holds; fails with the last status seen. */
  async waitForStatus (predicate: (status: Status) => boolean, what: string, timeoutMs = 30_000): Promise<Status> {
    const deadline = Date.now() + timeoutMs
    let last: Status | undefined
    while (Date.now() < deadline) {
      last = await this.status()
      if (predicate(last)) return last
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    throw new Error(`${this.name}: timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 2)}`)
  }

  /** Configures the relay and waits for the reservation on it. */
  async useRelay (address: string): Promise<Status> {
    await this.api({ method: 'setRelays', relays: [address] })
    return await this.waitForStatus(s => s.node === 'running' && s.relays.some(r => r.address === address && r.state === 'reserved'), `a reservation on ${address}`)
  }

  abstract close (): Promise<void>
}
