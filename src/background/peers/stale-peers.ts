import type { Contact } from './contacts.ts'

/**
 * Contacts not heard from for longer than `staleAfterMs` and not connected
 * now: their connection state may be dropped. Only the in-memory state goes;
 * contacts and stored messages stay. Callers check each one again right
 * before dropping it, since a peer may reconnect in between.
 */
export function stalePeers (contacts: Contact[], now: number, staleAfterMs: number, isConnected: (peerId: string) => boolean): string[] {
  return contacts
    .filter(c => now - (c.lastSeen ?? c.addedAt) > staleAfterMs && !isConnected(c.peerId))
    .map(c => c.peerId)
}

/**
 * Contacts heard from within `staleAfterMs`: the conversations that were
 * going on. A node that starts anew (a browser restart, a reloaded add-on,
 * a re-created offscreen document) dials them, so they learn at once that
 * it is back instead of waiting out their own backoff.
 */
export function recentPeers (contacts: Contact[], now: number, staleAfterMs: number): string[] {
  return contacts
    .filter(c => c.lastSeen != null && now - c.lastSeen <= staleAfterMs)
    .map(c => c.peerId)
}
