import { PeerlinkError } from '../base/peerlink-error.ts'

export type LimitType =
  | 'message-bytes'
  /** The receiving peer's own message size limit, from its HELLO. */
  | 'peer-message-bytes'
  | 'pending-messages'
  | 'pending-bytes'
  | 'connections'
  | 'connection-attempts'
  | 'relays'
  | 'peers'
  /** Contacts let in by "accept anyone". */
  | 'auto-accepted-peers'
  | 'buffered-bytes'
  | 'ice-servers'
  | 'contact-addresses'
  /** Clients asking or allowed, at most. */
  | 'clients'
  /** One client's requests in the last second, events ports opened included. */
  | 'client-requests-per-second'
  /** Events ports one client holds open. */
  | 'client-ports'
  /** One client's messages waiting for one peer. */
  | 'client-pending-messages'
  /** One client's bytes waiting for one peer. */
  | 'client-pending-bytes'
  /** All clients' messages waiting for one peer: the rest is kept for Peerlink's own pages. */
  | 'clients-pending-messages'
  /** All clients' bytes waiting for one peer. */
  | 'clients-pending-bytes'

/** A configured limit would be exceeded; nothing already accepted is touched. */
export class ResourceLimitError extends PeerlinkError<{ limitType: LimitType, limit: number, current: number }> {
  static override readonly name = 'ResourceLimitError'

  constructor (limitType: LimitType, limit: number, current: number) {
    super(`Limit "${limitType}" exceeded: ${current} > ${limit}`, { limitType, limit, current })
  }
}
