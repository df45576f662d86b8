/**
 * A user on three relays, and one of them dies: nothing hangs on it. Mail
 * deposited on two of them reaches its reader from the other, and the
 * conversation goes on through the relays left.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { OWN_CHANNEL } from '../src/api/protocol.ts'
import { parseContactCard } from '../src/common/wire/contact-card.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { cardOf, startMailRelay, waitForConversation } from './support/mailbox.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'
import type { RelayProcess } from './support/relay-process.ts'

const peerIdOf = (relay: RelayProcess): string => relay.address.slice(relay.address.lastIndexOf('/') + 1)

/** Sets the profile's relays and waits until it is reserved on each and each keeps its mailbox. */
async function useRelays (profile: PeerlinkProfile, relays: RelayProcess[]): Promise<void> {
  const addresses = relays.map(r => r.address)
  await profile.api({ method: 'setRelays', relays: addresses })
  await profile.waitForStatus(s => s.node === 'running' && addresses.every(a => s.relays.some(r => r.address === a && r.state === 'reserved' && r.mailbox?.state === 'yes')),
    `a reservation and a mailbox on all ${addresses.length} relays`)
}

test('on three relays, one killed: mail deposited on two reaches Bob from the other, and Alice and Bob go on messaging through the relays left', async () => {
  test.setTimeout(240_000)
  const started = await Promise.all([startMailRelay(), startMailRelay(), startMailRelay()])
  const relays = started.map(s => s.relay)
  const bobDir = mkdtempSync(join(tmpdir(), 'peerlink-bob-'))
  let alice: ExtensionProfile | undefined
  let bob: ExtensionProfile | undefined
  try {
    // Bob sets up on all three and hands out his card, which names all three; then he goes away.
    bob = await ExtensionProfile.launch({ name: 'bob', userDataDir: bobDir })
    await useRelays(bob, relays)
    const bobCard = await cardOf(bob)
    const { addresses } = parseContactCard(bobCard)
    expect(relays.map(r => addresses.some(a => a.startsWith(`${r.address}/p2p-circuit/`)))).toEqual([true, true, true])
    const bobId = (await bob.status()).peerId!
    await bob.close()
    bob = undefined

    // Alice writes while he is away: each message goes to his mailbox on two of his relays.
    alice = await ExtensionProfile.launch({ name: 'alice' })
    await useRelays(alice, relays)
    const aliceCard = await cardOf(alice)
    const aliceId = (await alice.status()).peerId!
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    const texts = Array.from({ length: 10 }, (_, i) => `to Bob on three relays #${i}`)
    for (const text of texts) await alice.api({ method: 'send', peerId: bobId, text })
    const stored = await waitForConversation(alice, bobId, [OWN_CHANNEL], ms => ms.length === 10 && ms.every(m => m.state === 'stored' && m.storedAt?.length === 2),
      'all 10 in Bob\'s mailbox on two relays')
    const holders = new Set(stored.flatMap(m => m.storedAt ?? []))
    expect(holders.size).toBe(2)

    // One of the two holding his mail dies for good.
    const dead = relays.find(r => holders.has(peerIdOf(r)))!
    await dead.kill()

    // Bob comes back: he fetches from the relays left and has all 10, once and in order.
    bob = await ExtensionProfile.launch({ name: 'bob', userDataDir: bobDir })
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    const received = await waitForConversation(bob, aliceId, [OWN_CHANNEL], ms => ms.filter(m => m.direction === 'in').length >= 10, 'Alice\'s 10 messages')
    expect(received.filter(m => m.direction === 'in').map(m => m.text)).toEqual(texts)
    const bobStatus = await bob.status()
    expect(bobStatus.relays.find(r => r.address === dead.address)?.state).not.toBe('reserved')
    expect(bobStatus.relays.filter(r => r.state === 'reserved')).toHaveLength(2)

    // Alice, online all along, sees them delivered; they go on talking through the two relays left.
    await waitForConversation(alice, bobId, [OWN_CHANNEL], ms => ms.filter(m => m.direction === 'out').every(m => m.state === 'delivered'), 'her 10 delivered')
    expect((await bob.api({ method: 'send', peerId: aliceId, text: 'got all ten', awaitDelivery: true })).state).toBe('delivered')
    expect((await alice.api({ method: 'send', peerId: bobId, text: 'good', awaitDelivery: true })).state).toBe('delivered')
    expect((await alice.messages(bobId)).filter(m => m.direction === 'in').map(m => m.text)).toEqual(['got all ten'])
  } finally {
    await Promise.all([alice?.close(), bob?.close()])
    await Promise.all(relays.map(async r => { await r.stop() }))
    for (const dir of [bobDir, ...started.map(s => s.dataDir)]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})
