/** A contact's name, or the short form of its id when it has none (or is not a contact). */
export function displayName (name: string | undefined, peerId: string): string {
  return name == null || name === '' ? shortId(peerId) : name
}

/** Shows a short identifier for a long peer id: the start and the end. */
export function shortId (peerId: string): string {
  return peerId.length <= 16 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}
