import { DeliveryFailedError, PeerClosedError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { NodePeer } from './support/node-peer.ts'

test('a stream reset by the peer means reconnect, never "closed on purpose"', async ({ fresh }) => {
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'before the reset', awaitDelivery: true })

  await bob.api({ method: 'resetPeer', peerId: aliceId })

  // Alice saw a remote reset, and is connected again without anyone sending.
  const status = await alice.waitForStatus(s => s.peers[0]?.lastClose?.startsWith('remote error') === true && s.peers[0].state === 'connected',
    'a reconnection after the remote reset')
  expect(status.peers[0]?.lastClose).toContain('StreamResetError')
  expect(status.peers[0]?.closedBy).toBeUndefined()
  const next = await alice.api({ method: 'send', peerId: bobId, text: 'after the reset', awaitDelivery: true })
  expect(next.state).toBe('delivered')
  expect((await bob.messages(aliceId)).map(m => m.text)).toEqual(['before the reset', 'after the reset'])
})

test('the relay is killed and restarted on the same address: both browsers reserve again and a new dial works', async ({ isolated }) => {
  test.setTimeout(180_000)
  const { alice, bob, aliceId, bobId, relay } = isolated
  await alice.api({ method: 'send', peerId: bobId, text: 'before the relay died', awaitDelivery: true })

  await relay.kill()
  for (const profile of [alice, bob]) {
    await profile.waitForStatus(s => s.relays[0]?.state !== 'reserved', 'the relay to be seen as gone')
  }
  await relay.startAgain()
  for (const profile of [alice, bob]) {
    await profile.waitForStatus(s => s.relays[0]?.state === 'reserved', 'a new reservation on the restarted relay', 90_000)
  }

  // A new dial needs Bob's new reservation: Alice hangs up, then reconnects.
  const dialsBefore = (await alice.status()).peers[0]!.dialAttempts
  await alice.api({ method: 'closePeer', peerId: bobId })
  await alice.api({ method: 'reconnectPeer', peerId: bobId })
  const sent = await alice.api({ method: 'send', peerId: bobId, text: 'through a fresh dial', awaitDelivery: true })
  expect(sent.state).toBe('delivered')
  // The dial count comes with the node's next report, which may follow the delivery's answer by a moment.
  await alice.waitForStatus(s => (s.peers[0]?.dialAttempts ?? 0) > dialsBefore, 'the new dial counted', 10_000)
  // The relay may carry the first message while WebRTC comes up; then WebRTC takes over.
  const direct = await alice.waitForStatus(s => s.peers[0]?.connection?.route === 'direct', 'a direct route')
  expect(direct.peers[0]!.connection).toMatchObject({ transport: 'webrtc', direct: true })
  // Bob was told of the close, and the reconnection opened the conversation again for him too.
  expect((await bob.api({ method: 'send', peerId: aliceId, text: 'and back', awaitDelivery: true })).state).toBe('delivered')
})

test('after the user closes a peer, no dial attempts follow on either side until the user reconnects, across worker and node restarts', async ({ fresh, relay }) => {
  test.setTimeout(120_000)
  const { alice, bob, aliceId, bobId } = fresh
  // Carol (a Node peer) is a contact both heard from: after a restart of their nodes, each dials her
  // again. Her dial is the sign that each browser's duties ran; Bob's or Alice's would be the defect.
  const carol = await NodePeer.start()
  try {
    for (const [profile, id] of [[alice, aliceId], [bob, bobId]] as const) {
      await profile.api({ method: 'addPeer', peerId: carol.peerId, name: 'Carol' })
      await carol.hello(relay.address, id)
      await expect.poll(async () => (await profile.stored<{ lastSeen: number | null }>(`contact/${carol.peerId}`))?.lastSeen ?? null,
        { message: `${profile.name} heard from Carol` }).not.toBeNull()
    }
    await alice.api({ method: 'send', peerId: bobId, text: 'hello', awaitDelivery: true })

    const closed = await alice.api({ method: 'closePeer', peerId: bobId })
    expect(closed).toMatchObject({ state: 'closed', closedBy: 'local' })
    await bob.waitForStatus(s => s.peers.find(p => p.peerId === aliceId)?.state === 'closed' && s.peers.find(p => p.peerId === aliceId)?.closedBy === 'remote', 'Bob to see the close')

    const fromAlice = await alice.api({ method: 'send', peerId: bobId, text: 'no' }).catch((e: unknown) => e)
    expect(fromAlice).toBeInstanceOf(PeerClosedError)
    expect((fromAlice as PeerClosedError).data).toMatchObject({ by: 'local', intentional: true })
    const fromBob = await bob.api({ method: 'send', peerId: aliceId, text: 'no' }).catch((e: unknown) => e)
    expect((fromBob as PeerClosedError).data).toMatchObject({ by: 'remote' })

    // Both workers stop and come back, then both offscreen documents close: each node starts anew,
    // and each worker dials again the contacts it heard from recently, save the closed one.
    await alice.stopServiceWorker()
    await bob.stopServiceWorker()
    await Promise.all([alice.closeOffscreenDocument(), bob.closeOffscreenDocument()])
    for (const [profile, closedPeer] of [[alice, bobId], [bob, aliceId]] as const) {
      const status = await profile.waitForStatus(s => (s.peers.find(p => p.peerId === carol.peerId)?.dialAttempts ?? 0) >= 1, `${profile.name}'s new node to dial Carol`, 60_000)
      // The node is new, so its dial counts started at zero; and no dial is waiting to be made.
      const peer = status.peers.find(p => p.peerId === closedPeer)!
      expect(peer, `${profile.name}'s view of the closed peer`).toMatchObject({ state: 'closed', dialAttempts: 0 })
      expect(peer.nextAttemptAt).toBeUndefined()
    }

    await alice.api({ method: 'reconnectPeer', peerId: bobId })
    expect((await alice.api({ method: 'send', peerId: bobId, text: 'again', awaitDelivery: true })).state).toBe('delivered')
    await bob.waitForStatus(s => s.peers.find(p => p.peerId === aliceId)?.state === 'connected', 'Bob to be open again')
  } finally {
    await carol.stop()
  }
})

test('Bob\'s browser closes and relaunches with the same profile: Alice reconnects and delivers what she queued meanwhile', async ({ fresh }) => {
  test.setTimeout(240_000)
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'before Bob left', awaitDelivery: true })

  await bob.close()
  const queued = ['while you were away 1', 'while you were away 2', 'while you were away 3']
  for (const text of queued) await alice.api({ method: 'send', peerId: bobId, text })
  expect((await alice.status()).peers[0]?.pending.messages).toBe(3)

  const bobAgain = await ExtensionProfile.launch({ name: 'bob-again', userDataDir: bob.userDataDir })
  try {
    expect((await bobAgain.status()).peerId).toBe(bobId)
    await alice.waitForStatus(s => s.peers[0]?.pending.messages === 0, 'Alice\'s outbox to drain', 180_000)
    expect((await bobAgain.messages(aliceId)).map(m => m.text)).toEqual(['before Bob left', ...queued])
  } finally {
    await bobAgain.close()
  }
})

test('removing a contact: the CLOSE reaches it, messages waiting for it fail as peer-removed, and no dial follows on either side', async ({ fresh }) => {
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'hello before the removal', awaitDelivery: true })
  // Carol is a contact Alice cannot reach: what Alice sends her waits.
  const carol = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
  await alice.api({ method: 'addPeer', peerId: carol, name: 'Carol' })
  const waiting = await Promise.all(['one', 'two'].map(async text => await alice.api({ method: 'send', peerId: carol, text, id: `for-carol-${text}` })))
  const failures = waiting.map(async ({ id }) => await alice.api({ method: 'awaitDelivery', id, timeoutMs: 60_000 }).then(m => m.state, (err: unknown) => err))

  await alice.api({ method: 'removePeer', peerId: carol })
  for (const failure of await Promise.all(failures)) {
    expect(failure).toBeInstanceOf(DeliveryFailedError)
    expect((failure as DeliveryFailedError).data.reason).toBe('peer-removed')
  }

  // Bob, connected, hears the CLOSE: closed by the other side, and he dials nobody.
  await alice.api({ method: 'removePeer', peerId: bobId })
  const atBob = await bob.waitForStatus(s => s.peers.find(p => p.peerId === aliceId)?.closedBy === 'remote', 'Bob to hear the CLOSE')
  const alicePeer = atBob.peers.find(p => p.peerId === aliceId)!
  expect(alicePeer.state).toBe('closed')
  expect(alicePeer.nextAttemptAt).toBeUndefined()
  const afterAlice = await alice.status()
  expect(afterAlice.peers.map(p => p.peerId)).toEqual([])
  // Nothing is due at Alice either: no contact, no dial, no connection to Bob left open.
  await alice.waitForStatus(s => s.connections === 0, 'Alice\'s connection to Bob closed')
  const bobSends = await bob.api({ method: 'send', peerId: aliceId, text: 'are you there?' }).catch((e: unknown) => e)
  expect((bobSends as PeerClosedError).data).toMatchObject({ by: 'remote' })
})

test('a connection neither side uses is let go at both ends: no dial follows, the popup says the contact rests, and the next message dials and is delivered', async ({ fresh }) => {
  test.setTimeout(120_000)
  const { alice, bob, aliceId, bobId } = fresh
  await alice.api({ method: 'send', peerId: bobId, text: 'before the rest', awaitDelivery: true })
  // Alice's limit alone lets it go: her QUIET tells Bob not to dial back.
  await alice.api({ method: 'setLimits', limits: { idleConnectionMs: 5_000 } })
  const resting = (profile: typeof alice, peerId: string, name: string) => profile.waitForStatus(
    s => s.connections === 0 && s.peers.some(p => p.peerId === peerId && p.state === 'idle' && p.restedAt != null), `${name} to let the idle connection go`)
  const [aliceRested, bobRested] = await Promise.all([resting(alice, bobId, 'Alice'), resting(bob, aliceId, 'Bob')])
  const attempts = [aliceRested.peers[0]!.dialAttempts, bobRested.peers[0]!.dialAttempts]

  // Nobody dials for a connection let go on purpose; a lost one is dialed again within a second.
  await new Promise(resolve => setTimeout(resolve, 3_000))
  for (const [profile, peerId, before] of [[alice, bobId, attempts[0]], [bob, aliceId, attempts[1]]] as const) {
    const peer = (await profile.status()).peers.find(p => p.peerId === peerId)!
    expect(peer, `${profile.name}'s view after the rest`).toMatchObject({ state: 'idle', dialAttempts: before })
    expect(peer.nextAttemptAt).toBeUndefined()
  }
  const popup = await bob.open('popup/popup.html')
  await expect(popup.locator('#contacts')).toContainText('Resting — connects again when either of you writes')

  // The next message dials again, from the side that did not let go too (the unit tests take the other).
  expect((await bob.api({ method: 'send', peerId: aliceId, text: 'Bob wakes it', awaitDelivery: true })).state).toBe('delivered')
  await expect(popup.locator('#contacts')).not.toContainText('Resting')
  expect((await alice.messages(bobId)).map(m => `${m.direction} ${m.text} ${m.state}`)).toEqual(['out before the rest delivered', 'in Bob wakes it received'])
})
