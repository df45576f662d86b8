/**
 * Every error that reaches a caller or crosses the link: one class a file,
 * grouped by the half that raises it (`worker/`, `node/`; the link's two at the
 * top), each with a static name and structured data, rebuilt typed on the other side.
 */
import { DeliveryFailedError } from './worker/delivery-failed-error.ts'
import { IceOfferRefusedError } from './node/ice-offer-refused-error.ts'
import { LinkCallTimeoutError } from './link-call-timeout-error.ts'
import { LinkClosedError } from './link-closed-error.ts'
import { PeerClosedError } from './worker/peer-closed-error.ts'
import { PeerlinkError, type ErrorData } from './base/peerlink-error.ts'
import { ResourceLimitError } from './worker/resource-limit-error.ts'
import { NotAuthorizedError } from './worker/not-authorized-error.ts'
import { UnknownPeerError } from './worker/unknown-peer-error.ts'
import { ValidationError } from './worker/validation-error.ts'
import { ChannelClosedError } from './node/channel-closed-error.ts'
import { ControlFloodError } from './node/control-flood-error.ts'
import { InactivityTimeoutError } from './node/inactivity-timeout-error.ts'
import { MalformedFrameError } from './node/malformed-frame-error.ts'
import { NoDirectConnectionError } from './node/no-direct-connection-error.ts'
import { NoRelayError } from './node/no-relay-error.ts'
import { NotConnectedError } from './node/not-connected-error.ts'
import { PeerDisconnectedError } from './node/peer-disconnected-error.ts'
import { PeerNotAllowedError } from './node/peer-not-allowed-error.ts'
import { ResetByUserError } from './node/reset-by-user-error.ts'
import { StuckStreamError } from './node/stuck-stream-error.ts'
import { MailboxRefusedError } from './node/mailbox-refused-error.ts'
import { StorageFullError } from './worker/storage-full-error.ts'
import { UnsentAckError } from './worker/unsent-ack-error.ts'

export { DeliveryFailedError, LinkCallTimeoutError, LinkClosedError, NotAuthorizedError, PeerClosedError, PeerlinkError, ResourceLimitError, StorageFullError, UnknownPeerError, UnsentAckError, ValidationError }
// Raised by the node (offscreen document).
export {
  ChannelClosedError, ControlFloodError, InactivityTimeoutError, MalformedFrameError, NoDirectConnectionError, NotConnectedError,
  PeerDisconnectedError, PeerNotAllowedError, ResetByUserError, StuckStreamError
}
// Raised by the node while it reaches peers across networks, and by its mailbox client.
export { IceOfferRefusedError, MailboxRefusedError, NoRelayError }
export { isPermanentError } from './permanence.ts'
export type { ErrorData }
export type { ChannelClosedReason } from './node/channel-closed-error.ts'
export type { LimitType } from './worker/resource-limit-error.ts'
export type { MailboxRefusal } from './node/mailbox-refused-error.ts'
export type { DeliveryFailureReason } from './worker/delivery-failed-error.ts'
export type { NotAuthorizedReason } from './worker/not-authorized-error.ts'

/** An error as it travels over the link or the page API. */
export interface SerializedError {
  name: string
  message: string
  data: ErrorData
}

const knownErrors = new Map<string, { prototype: PeerlinkError }>([
  [ValidationError.name, ValidationError],
  [ResourceLimitError.name, ResourceLimitError],
  [LinkClosedError.name, LinkClosedError],
  [LinkCallTimeoutError.name, LinkCallTimeoutError],
  [UnknownPeerError.name, UnknownPeerError],
  [NotAuthorizedError.name, NotAuthorizedError],
  [DeliveryFailedError.name, DeliveryFailedError],
  [PeerClosedError.name, PeerClosedError],
  [StorageFullError.name, StorageFullError],
  [UnsentAckError.name, UnsentAckError],
  [ChannelClosedError.name, ChannelClosedError],
  [ControlFloodError.name, ControlFloodError],
  [InactivityTimeoutError.name, InactivityTimeoutError],
  [MalformedFrameError.name, MalformedFrameError],
  [NoDirectConnectionError.name, NoDirectConnectionError],
  [NotConnectedError.name, NotConnectedError],
  [PeerDisconnectedError.name, PeerDisconnectedError],
  [PeerNotAllowedError.name, PeerNotAllowedError],
  [ResetByUserError.name, ResetByUserError],
  [StuckStreamError.name, StuckStreamError],
  [IceOfferRefusedError.name, IceOfferRefusedError],
  [NoRelayError.name, NoRelayError],
  [MailboxRefusedError.name, MailboxRefusedError]
])

/** Turns any thrown value into plain data that survives structured cloning and JSON. */
export function serializeError (err: unknown): SerializedError {
  if (err instanceof PeerlinkError) {
    return { name: err.name, message: err.message, data: { ...err.data } }
  }
  if (err instanceof Error) {
    return { name: err.name, message: err.message, data: {} }
  }
  return { name: 'Error', message: String(err), data: {} }
}

/** Rebuilds the typed error a `serializeError` result came from, so callers can use `instanceof`. */
export function deserializeError (serialized: SerializedError): Error {
  const ctor = knownErrors.get(serialized.name)
  if (ctor != null) {
    const err = Object.create(ctor.prototype) as PeerlinkError
    Object.assign(err, { name: serialized.name, message: serialized.message, data: serialized.data })
    Object.defineProperty(err, 'stack', { value: `${serialized.name}: ${serialized.message}`, writable: true, configurable: true })
    return err
  }
  const err = new PeerlinkError(serialized.message, serialized.data)
  err.name = serialized.name
  return err
}
