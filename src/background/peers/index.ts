/**
 * Peers: the people this browser talks to. The contact list and its addresses,
 * whom a new contact names, when to dial each (the reconnection policy and the
 * part that applies it), which peers went stale, and what a page sees of each.
 */
export { type Contact, Contacts } from './contacts.ts'
export { parseNewContact } from './new-contact.ts'
export { peerView, statusView } from './peer-view.ts'
export { Reconnector } from './reconnector.ts'
export { recentPeers, stalePeers } from './stale-peers.ts'
