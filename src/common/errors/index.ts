import { DeliveryFailedError } from './delivery-failed-error.ts'
import { LinkClosedError } from './link-closed-error.ts'
import { PeerClosedError } from './peer-closed-error.ts'
import { PeerlinkError, type ErrorData } from './peerlink-error.ts'
import { ResourceLimitError } from './resource-limit-error.ts'
import { UnknownPeerError } from './unknown-peer-error.ts'
import { ValidationError } from './validation-error.ts'

export { DeliveryFailedError, LinkClosedError, PeerClosedError, PeerlinkError, ResourceLimitError, UnknownPeerError, ValidationError }
export type { ErrorData }
export type { LimitType } from './resource-limit-error.ts'
export type { DeliveryFailureReason } from './delivery-failed-error.ts'

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
  [UnknownPeerError.name, UnknownPeerError],
  [DeliveryFailedError.name, DeliveryFailedError],
  [PeerClosedError.name, PeerClosedError]
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
