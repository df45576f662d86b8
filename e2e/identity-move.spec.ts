import type { MessageView } from '../src/api/protocol.ts'
import { ValidationError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'
import { numbered, sendNumbered, waitForAll } from './support/exchange.ts'
import { ExtensionProfile } from './support/extension-profile.ts'

/** The texts of one direction of a conversation, in order. */
const texts = (messages: MessageView[], direction: 'in' | 'out'): string[] => messages.filter(m => m.direction === direction).map(m => m.text)

test('Bob moves his identity to a new browser: both ways, every message is stored exactly once and none is marked delivered that the other side lacks', async ({ fresh, relay }) => {
  test.setTimeout(180_000)
  const { alice, bob, aliceId, bobId } = fresh
  // A conversation with history on both sides: Alice expects Bob's 13th message next.
  await Promise.all([sendNumbered(alice, bobId, 'before-a', 8), sendNumbered(bob, aliceId, 'before-b', 12)])
  await Promise.all([waitForAll(alice, bob, 8, 60_000), waitForAll(bob, alice, 12, 60_000)])

  // Bob exports his key, as the options page offers, and the old browser goes away.
  const { privateKey } = await bob.api({ method: 'exportIdentity' })
  await bob.close()
  const newBob = await ExtensionProfile.launch({ name: 'bob-moved' })
  try {
    await newBob.api({ method: 'importIdentity', privateKey })
    expect((await newBob.status()).peerId).toBe(bobId)
    await newBob.useRelay(relay.address)
    await newBob.api({ method: 'addPeer', peerId: aliceId, name: 'Alice' })

    await Promise.all([sendNumbered(alice, bobId, 'after-a', 10), sendNumbered(newBob, aliceId, 'after-b', 10)])
    const [atBob, atAlice] = await Promise.all([waitForAll(alice, newBob, 10, 90_000), waitForAll(newBob, alice, 22, 90_000)])

    // New Bob has each of Alice's new messages once, in order (the old ones stayed in the old browser).
    expect(atBob.received).toEqual(numbered('after-a', 10))
    // Alice has Bob's old and new messages, each once, in order: none dropped as a "duplicate".
    expect(atAlice.received).toEqual([...numbered('before-b', 12), ...numbered('after-b', 10)])
    expect(atBob.pending).toBe(0)
    expect(atAlice.pending).toBe(0)

    // Nothing marked delivered that the other side does not have.
    const [aliceSide, bobSide] = await Promise.all([alice.messages(bobId, 1000), newBob.messages(aliceId, 1000)])
    const deliveredByBob = bobSide.filter(m => m.direction === 'out' && m.state === 'delivered').map(m => m.text)
    expect(deliveredByBob).toEqual(numbered('after-b', 10))
    expect(texts(aliceSide, 'in')).toEqual(expect.arrayContaining(deliveredByBob))
    const deliveredByAlice = aliceSide.filter(m => m.direction === 'out' && m.state === 'delivered').map(m => m.text)
    expect(deliveredByAlice).toEqual([...numbered('before-a', 8), ...numbered('after-a', 10)])
    expect(texts(bobSide, 'in')).toEqual(numbered('after-a', 10))
    console.log(`after the move: Alice → Bob ${atBob.received.length} received, Bob → Alice ${atAlice.received.length} received, 0 pending either way`)
  } finally {
    await newBob.close()
  }
})

test('importing an identity into a profile with conversations: a contact\'s key is refused, and each identity keeps its own conversations', async ({ fresh }) => {
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'from Alice\'s first identity', awaitDelivery: true })
  const aliceKey = (await alice.api({ method: 'exportIdentity' })).privateKey

  // Bob's key, a contact's, is refused, and nothing changes.
  const bobKey = (await bob.api({ method: 'exportIdentity' })).privateKey
  const refused = await alice.api({ method: 'importIdentity', privateKey: bobKey }).catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(ValidationError)
  expect((refused as ValidationError).data).toMatchObject({ field: 'private key', reason: expect.stringMatching(/one of your contacts/) })
  expect((await alice.status()).peerId).toBe(aliceId)

  // A key of a third identity: that identity has its own conversations (none yet), and Alice's are kept.
  const other = await ExtensionProfile.launch({ name: 'other' })
  let otherKey: string
  let otherId: string
  try {
    otherKey = (await other.api({ method: 'exportIdentity' })).privateKey
    otherId = (await other.status()).peerId!
  } finally {
    await other.close()
  }
  expect((await alice.api({ method: 'importIdentity', privateKey: otherKey })).peerId).toBe(otherId)
  expect(await alice.messages(bobId)).toEqual([])

  // Back to Alice's own key: her conversation with Bob is there as it was.
  expect((await alice.api({ method: 'importIdentity', privateKey: aliceKey })).peerId).toBe(aliceId)
  expect((await alice.messages(bobId)).map(m => [m.direction, m.text, m.state])).toEqual([['out', 'from Alice\'s first identity', 'delivered']])
  expect((await alice.api({ method: 'send', peerId: bobId, text: 'Alice again', awaitDelivery: true })).state).toBe('delivered')
  expect((await bob.messages(aliceId)).map(m => m.text)).toEqual(['from Alice\'s first identity', 'Alice again'])
})
