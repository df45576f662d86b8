import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MessageView } from '../../src/api/protocol.ts'
import { formatContactCard, ownContactCard } from '../../src/common/wire/contact-card.ts'
import type { PeerlinkProfile } from './peerlink-profile.ts'
import { RelayProcess, type RelayProcessOptions } from './relay-process.ts'

/** A relay process with a data directory of its own: it keeps mail for its users. */
export async function startMailRelay (options: RelayProcessOptions = {}): Promise<{ relay: RelayProcess, dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerlink-relay-data-'))
  const relay = await RelayProcess.start(0, join(dataDir, 'relay-key'), { ...options, args: ['--data-dir', dataDir, ...(options.args ?? [])] })
  return { relay, dataDir }
}

/** The profile's contact card as its popup shows it (with its mailbox token), once it is reserved on a relay. */
export async function cardOf (profile: PeerlinkProfile): Promise<string> {
  const status = await profile.waitForStatus(s => s.peerId != null && ownContactCard(s.peerId, s.addresses) != null, 'a contact card')
  return formatContactCard(ownContactCard(status.peerId!, status.addresses, status.cardToken)!)
}

/** Waits until the profile's relay says it keeps a mailbox for it (its tokens registered there). */
export async function waitForMailbox (profile: PeerlinkProfile, timeoutMs = 30_000): Promise<void> {
  await profile.waitForStatus(s => s.relays.length > 0 && s.relays.every(r => r.mailbox?.state === 'yes'), 'a mailbox on every relay', timeoutMs)
}

/** Reserves the profile on the relay, waits until the relay keeps its mailbox, and answers its card and peer id. */
export async function reserveWithMailbox (profile: PeerlinkProfile, relayAddress: string): Promise<{ card: string, peerId: string }> {
  await profile.useRelay(relayAddress)
  await waitForMailbox(profile)
  return { card: await cardOf(profile), peerId: (await profile.status()).peerId! }
}

/** Every message with `peerId` on `channels`, oldest first. */
export async function conversation (profile: PeerlinkProfile, peerId: string, channels: string[]): Promise<MessageView[]> {
  const all = await Promise.all(channels.map(async channel => await profile.api({ method: 'getMessages', peerId, channel, limit: 500 })))
  return all.flat().sort((a, b) => a.direction === b.direction ? a.seq - b.seq : a.at - b.at)
}

/** Polls until `check` holds for the conversation; fails with what was last seen. */
export async function waitForConversation (profile: PeerlinkProfile, peerId: string, channels: string[], check: (messages: MessageView[]) => boolean, what: string, timeoutMs = 60_000): Promise<MessageView[]> {
  const deadline = Date.now() + timeoutMs
  let last: MessageView[] = []
  while (Date.now() < deadline) {
    last = await conversation(profile, peerId, channels)
    if (check(last)) return last
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  const summary = last.map(m => `${m.direction}#${m.seq}:${m.state}`).join(' ')
  throw new Error(`${profile.name}: timed out waiting for ${what}; last seen: ${summary}`)
}
