import { DeliveryFailedError } from './delivery-failed-error.ts'
import { IceOfferRefusedError } from './ice-offer-refused-error.ts'
import { LinkCallTimeoutError } from './link-call-timeout-error.ts'
import { LinkClosedError } from './link-closed-error.ts'
import { PeerClosedError } from './peer-closed-error.ts'
import { PeerlinkError, type ErrorData } from './peerlink-error.ts'
import { ResourceLimitError } from './resource-limit-error.ts'
import { NotAuthorizedError } from './not-authorized-error.ts'
import { UnknownPeerError } from './unknown-peer-error.ts'
import { ValidationError } from './validation-error.ts'
import { ChannelClosedError } from './channel-closed-error.ts'
import { ControlFloodError } from './control-flood-error.ts'
import { InactivityTimeoutError } from './inactivity-timeout-error.ts'
import { MalformedFrameError } from './malformed-frame-error.ts'
import { NoDirectConnectionError } from './no-direct-connection-error.ts'
import { NoRelayError } from './no-relay-error.ts'
import { NotConnectedError } from './not-connected-error.ts'
import { PeerDisconnectedError } from './peer-disconnected-error.ts'
import { PeerNotAllowedError } from './peer-not-allowed-error.ts'
import { ResetByUserError } from './reset-by-user-error.ts'
import { StuckStreamError } from './stuck-stream-error.ts'
import { StorageFullError } from './storage-full-error.ts'
import { UnsentAckError } from './unsent-ack-error.ts'

export { DeliveryFailedError, LinkCallTimeoutError, LinkClosedError, NotAuthorizedError, PeerClosedError, PeerlinkError, ResourceLimitError, StorageFullError, UnknownPeerError, UnsentAckError, ValidationError }
// Raised by the node (offscreen document).
export {
  ChannelClosedError, ControlFloodError, InactivityTimeoutError, MalformedFrameError, NoDirectConnectionError, NotConnectedError,
  PeerDisconnectedError, PeerNotAllowedError, ResetByUserError, StuckStreamError
}
// Raised by the node while it reaches peers across networks.
export { IceOfferRefusedError, NoRelayError }
export { isPermanentError } from './permanence.ts'
export type { ErrorData }
export type { ChannelClosedReason } from './channel-closed-error.ts'
export type { LimitType } from './resource-limit-error.ts'
export type { DeliveryFailureReason } from './delivery-failed-error.ts'
export type { NotAuthorizedReason } from './not-authorized-error.ts'

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
  [NoRelayError.name, NoRelayError]
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
