import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { OWN_CHANNEL, type MessageView } from '../src/api/protocol.ts'
import { ClientPage, makeClientExtension } from './support/client-extension.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { cardOf, startMailRelay, waitForConversation, waitForMailbox } from './support/mailbox.ts'

/** What a message says: its text, or its bytes (base64). */
const said = (m: MessageView): string => m.kind === 'bytes' ? `bytes:${m.data}` : m.text

test('never online together: Alice writes while Bob is away, Bob reads and answers while Alice is away, and both conversations complete', async () => {
  test.setTimeout(300_000)
  const { relay, dataDir } = await startMailRelay()
  const app = makeClientExtension('mailchat')
  const dirs = { alice: mkdtempSync(join(tmpdir(), 'peerlink-alice-')), bob: mkdtempSync(join(tmpdir(), 'peerlink-bob-')) }
  const launch = async (name: 'alice' | 'bob'): Promise<ExtensionProfile> => await ExtensionProfile.launch({ name, userDataDir: dirs[name], extraExtensions: [app.dir] })
  try {
    // Bob sets up once and hands out his card; his relay now keeps his mailbox.
    let bob = await launch('bob')
    await bob.useRelay(relay.address)
    await waitForMailbox(bob)
    const bobCard = await cardOf(bob)
    const bobId = (await bob.status()).peerId!
    await bob.close()

    // Alice, alone: she adds Bob from his card and writes 50 messages, text and bytes, on Peerlink's channel and an app's.
    let alice = await launch('alice')
    await alice.useRelay(relay.address)
    await waitForMailbox(alice)
    const aliceCard = await cardOf(alice)
    const aliceId = (await alice.status()).peerId!
    await alice.api({ method: 'addPeer', card: bobCard, name: 'Bob' })
    const appAtAlice = await ClientPage.openInChromium(alice, app)
    await alice.api({ method: 'allowClient', client: appAtAlice.client })
    const channels = [OWN_CHANNEL, appAtAlice.client]
    const sent: string[] = []
    for (let i = 0; i < 50; i++) {
      const bytes = i % 5 === 4
      const payload = bytes ? { bytes: Buffer.from(`raw ${i}`).toString('base64') } : { text: `to Bob #${i}` }
      sent.push(bytes ? `bytes:${payload.bytes}` : payload.text!)
      if (i % 3 === 2) await appAtAlice.api({ method: 'send', peerId: bobId, ...payload })
      else await alice.api({ method: 'send', peerId: bobId, ...payload })
    }
    const stored = await waitForConversation(alice, bobId, channels, ms => ms.length === 50 && ms.every(m => m.state === 'stored'), 'all 50 in Bob\'s mailbox')
    expect(stored.every(m => m.storedAt?.length === 1)).toBe(true)
    await alice.close()

    // Bob comes back: Alice's mail waits for him, as a request until he adds her from her card.
    bob = await launch('bob')
    const appAtBob = await ClientPage.openInChromium(bob, app)
    await bob.api({ method: 'allowClient', client: appAtBob.client })
    await bob.api({ method: 'addPeer', card: aliceCard, name: 'Alice' })
    const received = await waitForConversation(bob, aliceId, channels, ms => ms.length >= 50, 'Alice\'s 50 messages')
    expect(received.map(m => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(received.map(said)).toEqual(sent)
    expect(received.filter(m => m.channel === appAtBob.client)).toHaveLength(sent.filter((_, i) => i % 3 === 2).length)
    const answers = Array.from({ length: 20 }, (_, i) => `to Alice #${i}`)
    for (const text of answers) await bob.api({ method: 'send', peerId: aliceId, text })
    await waitForConversation(bob, aliceId, [OWN_CHANNEL], ms => ms.filter(m => m.direction === 'out').length === 20 && ms.filter(m => m.direction === 'out').every(m => m.state === 'stored'), 'his 20 answers in Alice\'s mailbox')
    await bob.close()

    // Alice comes back: her 50 are delivered, and she has Bob's 20, once and in order.
    alice = await launch('alice')
    const done = await waitForConversation(alice, bobId, channels, ms => ms.filter(m => m.direction === 'out').every(m => m.state === 'delivered') && ms.filter(m => m.direction === 'in').length >= 20,
      'her 50 delivered and Bob\'s 20 answers')
    expect(done.filter(m => m.direction === 'out')).toHaveLength(50)
    expect(done.filter(m => m.direction === 'in').map(m => m.text)).toEqual(answers)
    expect((await alice.status()).counters.mailboxRejected).toBe(0)
    await alice.close()
  } finally {
    await relay.stop()
    for (const dir of [...Object.values(dirs), dataDir, app.dir]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
})
