/**
 * A private relay's guest list: the peer ids it serves, read from a file of
 * one id a line (`#` starts a comment). Everyone else is refused once their
 * connection is encrypted, when their peer id is known, before they can
 * reserve, ask for ICE servers or touch the mailbox.
 */
import { readFile } from 'node:fs/promises'
import { peerIdFromString } from '@libp2p/peer-id'

/** An allow-list that cannot be read, or a line of it that is not a peer id; names the file and the line. */
export class AllowListError extends Error {
  override readonly name = 'AllowListError'
}

/** Reads the peer ids in `file`, canonical; throws AllowListError on a line that is not one. */
export async function readAllowedPeers (file: string): Promise<Set<string>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new AllowListError(`cannot read the allow-list ${file}: ${(err as Error).message}`)
  }
  const allowed = new Set<string>()
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') continue
    try {
      allowed.add(peerIdFromString(line).toString())
    } catch {
      throw new AllowListError(`${file}:${i + 1}: "${line}" is not a peer id`)
    }
  }
  return allowed
}
