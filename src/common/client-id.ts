/**
 * Clients of Peerlink: another extension (`extension:<its id>`) or a web
 * origin (`origin:https://app.example`). A client's id is also its channel:
 * the messages it sends carry it, and reach only the same client on the
 * peer's side. Peerlink's own pages use the channel `peerlink`.
 */

/** Peerlink's own pages' channel; an empty channel on the wire means it too. */
export const OWN_CHANNEL = 'peerlink'

export type ClientId = `extension:${string}` | `origin:${string}`

/** Chrome's 32 letters a–p, or a Firefox id (`name@domain`, `{uuid}`). */
const EXTENSION_ID = String.raw`[A-Za-z0-9._@{}-]{1,128}`
/** An origin as `URL.origin` writes it: scheme, lower-case host, optional port; no path. */
const ORIGIN = String.raw`https?://[a-z0-9.-]{1,253}(?::[0-9]{1,5})?`

export const CLIENT_ID_PATTERN = new RegExp(`^(?:extension:${EXTENSION_ID}|origin:${ORIGIN})$`)

/** Whether `value` is a well-formed client id. */
export function isClientId (value: unknown): value is ClientId {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value)
}

/** Whether `value` names a channel: a client's, or Peerlink's own. */
export function isChannel (value: unknown): value is ClientId | typeof OWN_CHANNEL {
  return value === OWN_CHANNEL || isClientId(value)
}

/** The client id of another extension, from the id the browser reports for it. */
export function extensionClient (extensionId: string): ClientId | undefined {
  const client = `extension:${extensionId}` as const
  return isClientId(client) ? client : undefined
}

/** The client id of a web origin (`https://app.example`), if it is one Peerlink can serve. */
export function originClient (origin: string): ClientId | undefined {
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    return undefined
  }
  if (parsed.origin !== origin) return undefined
  const client = `origin:${parsed.origin}` as const
  return isClientId(client) ? client : undefined
}

/** The kind of a client, and what it names: an extension id or an origin. */
export function describeClient (client: ClientId): { kind: 'extension', extensionId: string } | { kind: 'origin', origin: string } {
  return client.startsWith('extension:')
    ? { kind: 'extension', extensionId: client.slice('extension:'.length) }
    : { kind: 'origin', origin: client.slice('origin:'.length) }
}
