import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { STORAGE_FULL_RETRY_MS } from '../src/common/constants.ts'
import { expect, pairUp, test } from './fixtures.ts'
import { numbered } from './support/exchange.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { prerequisite } from './support/prerequisite.ts'
import { mountSmallDisk, smallDiskSupport } from './support/small-disk.ts'

const needs = prerequisite('e2e/storage-full.spec.ts', smallDiskSupport())

/** Text that does not compress (Chromium's IndexedDB compresses what it stores): `bytes` random letters. */
const incompressible = (bytes: number): string => randomBytes(bytes).toString('base64').replace(/[^a-z]/gi, 'a').slice(0, bytes)

test.describe('a full disk', () => {
  test.skip(needs.skip, needs.reason)
  test.beforeAll(needs.assert)

  test('at the receiver pauses the sender and loses nothing: the sender holds its messages and is asked for them again once there is room', async ({ relay }) => {
    test.setTimeout(180_000)
    // Bob's profile lives on a disk of its own, which the test fills.
    const disk = mountSmallDisk(256 * 1024 * 1024)
    const bobDir = join(disk.dir, 'profile')
    mkdirSync(bobDir)
    const [alice, bob] = await Promise.all([ExtensionProfile.launch({ name: 'alice' }), ExtensionProfile.launch({ name: 'bob', userDataDir: bobDir })])
    try {
      const [aliceId, bobId] = await pairUp(relay, alice, bob, ['Alice', 'Bob'])
      await alice.api({ method: 'send', peerId: bobId, text: 'before the disk filled', awaitDelivery: true })

      // 1 MiB left on Bob's disk; Alice sends 48 messages of 32 KiB (1.5 MiB, and the database writes each
      // twice, in its log and its tables). Values this small stay in the database itself, so the full disk
      // makes Chromium fail the write and close the database under the worker, which opens it again.
      disk.fill(1024 * 1024)
      const count = 48
      for (const id of numbered('full', count)) await alice.api({ method: 'send', peerId: bobId, text: `${id} ${incompressible(32 * 1024)}`, id })
      const paused = await alice.waitForStatus(s => s.peers.find(p => p.peerId === bobId)?.paused === 'storage-full', 'Bob to ask Alice to pause', 60_000)
      const pending = paused.peers.find(p => p.peerId === bobId)!.pending.messages
      console.log(`paused with ${pending} of ${count} messages still in Alice's outbox; ${disk.free()} bytes free on Bob's disk`)
      expect(pending).toBeGreaterThan(0)
      // Nothing failed: the messages wait in Alice's outbox. (Bob's own pages cannot read his messages
      // meanwhile: with no room, Chromium cannot even open his database.)
      expect((await alice.messages(bobId)).filter(m => m.text.startsWith('full-') && m.state === 'failed')).toEqual([])
      expect((await alice.status()).peers.find(p => p.peerId === bobId)?.paused).toBe('storage-full')

      // Room again: within the retry period Bob says HELLO again, Alice sends what waited, and
      // every message arrives once, in order.
      disk.empty()
      await alice.waitForStatus(s => s.peers.find(p => p.peerId === bobId)?.pending.messages === 0, 'Alice\'s outbox to drain once Bob asked again', STORAGE_FULL_RETRY_MS + 60_000)
        .catch(async (err: Error) => {
          // What Bob's side saw says which end stopped the conversation.
          const bobSide = await bob.status().then(s => ({ link: s.link, counters: s.counters, alice: s.peers.find(p => p.peerId === aliceId) }), (e: Error) => e.message)
          throw new Error(`${err.message}\nBob's side: ${JSON.stringify(bobSide, null, 2)}`)
        })
      expect((await alice.status()).peers.find(p => p.peerId === bobId)?.paused).toBeUndefined()
      const received = (await bob.messages(aliceId)).filter(m => m.text.startsWith('full-')).map(m => m.text.split(' ')[0])
      expect(received).toEqual(numbered('full', count))
      expect((await alice.messages(bobId)).filter(m => m.text.startsWith('full-') && m.state !== 'delivered')).toEqual([])
    } finally {
      await Promise.all([alice.close(), bob.close()])
      disk.remove()
    }
  })
})
