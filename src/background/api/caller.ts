import { extensionClient, originClient, type ClientId } from '../../common/client-id.ts'
import { NotAuthorizedError } from '../../common/errors/index.ts'

/** Who sent an API request: Peerlink's own pages, or a client (another extension, an allowed site). */
export type Caller = { kind: 'own' } | { kind: 'client', client: ClientId }

/** What the browser reports about a message's sender (`runtime.MessageSender`); never what the message says. */
export interface Sender {
  id?: string
  url?: string
  /**
   * The sender document's origin: Chromium and Firefox report it for pages
   * and content scripts ('null' for a sandboxed document, whatever its URL);
   * `url` stands in only where a browser does not.
   */
  origin?: string
}

export interface CallerContext {
  /** Peerlink's own extension id. */
  ownId: string
  /** Peerlink's own pages' origin (`chrome-extension://<id>`, `moz-extension://<uuid>`). */
  ownOrigin: string
}

/**
 * Who a runtime message (or port) comes from, from what the browser says
 * of its sender. `external`: it came through `onMessageExternal` /
 * `onConnectExternal`, so it is another extension, named by its id.
 * Otherwise it is one of Peerlink's own pages, or Peerlink's content script
 * on a site: then the origin the script claims (`claimedOrigin`, from the
 * page's location) must be the one the browser reports, or
 * `NotAuthorizedError` ('origin').
 */
export function callerOf (sender: Sender, { ownId, ownOrigin }: CallerContext, external: boolean, claimedOrigin?: unknown): Caller {
  if (external) {
    const client = sender.id == null || sender.id === ownId ? undefined : extensionClient(sender.id)
    if (client == null) throw new NotAuthorizedError(`extension:${String(sender.id)}`, 'not-allowed')
    return { kind: 'client', client }
  }
  if (sender.id !== ownId) throw new NotAuthorizedError(`extension:${String(sender.id)}`, 'not-allowed')
  // By prefix: some browsers give extension URLs an opaque ("null") origin.
  if (sender.origin === ownOrigin || sender.url?.startsWith(`${ownOrigin}/`) === true) return { kind: 'own' }
  const origin = sender.origin ?? originOf(sender.url)
  const client = origin == null ? undefined : originClient(origin)
  if (client == null) throw new NotAuthorizedError(`origin:${String(origin)}`, 'not-allowed')
  if (claimedOrigin != null && claimedOrigin !== origin) throw new NotAuthorizedError(`origin:${String(claimedOrigin)}`, 'origin')
  return { kind: 'client', client }
}

function originOf (url: string | undefined): string | undefined {
  if (url == null) return undefined
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}
