import { PeerlinkError } from '../base/peerlink-error.ts'

/**
 * Why a client was refused: the user has not allowed it (yet), the method is
 * one only Peerlink's own pages may call, or it named another client's
 * channel or claimed another origin.
 */
export type NotAuthorizedReason = 'not-allowed' | 'method' | 'channel' | 'origin'

/** A client (another extension, a web origin) asked for something the user has not allowed it. */
export class NotAuthorizedError extends PeerlinkError<{ client: string, reason: NotAuthorizedReason, method?: string }> {
  static override readonly name = 'NotAuthorizedError'

  constructor (client: string, reason: NotAuthorizedReason, method?: string) {
    super(NotAuthorizedError.#explain(client, reason, method), method == null ? { client, reason } : { client, reason, method })
  }

  static #explain (client: string, reason: NotAuthorizedReason, method?: string): string {
    switch (reason) {
      case 'not-allowed': return `${client} may not use Peerlink: the user has to allow it first (Peerlink's popup lists it)`
      case 'method': return `${client} may not call ${method ?? 'this method'}: only Peerlink's own pages may`
      case 'channel': return `${client} may use only its own channel`
      case 'origin': return `${client} does not match the page the request came from`
    }
  }
}
