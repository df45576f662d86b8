import { expect, test } from '@playwright/test'
import { makePair, pairUp } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { RelayProcess } from './support/relay-process.ts'

// A relay on a bare IP address: no WebSocket, no domain, no TLS certificate; browsers reach it over WebRTC-direct.
test('two browsers reserve on a relay that has only a WebRTC-direct address, message each other, and reach it at the same address after it restarts', async () => {
  test.setTimeout(180_000)
  const relay = await RelayProcess.start(0, undefined, { args: ['--port', 'off', '--webrtc-port', '0'] })
  const { alice, bob, bobId, aliceId } = await makePair(relay).catch(async (err: unknown) => { await relay.stop(); throw err })
  try {
    expect(relay.addresses).toEqual([relay.address])
    expect(relay.address).toMatch(/^\/ip4\/127\.0\.0\.1\/udp\/\d+\/webrtc-direct\/certhash\/u[\w-]+\/p2p\/12D3KooW\w+$/)
    const status = await alice.status()
    expect(status.relays).toEqual([expect.objectContaining({ address: relay.address, state: 'reserved' })])

    expect((await alice.api({ method: 'send', peerId: bobId, text: 'over a relay with no certificate to buy', awaitDelivery: true })).state).toBe('delivered')

    const before = relay.address
    await relay.restart()
    // The key and the certificate are kept beside each other: the address users were given still works,
    // for a browser that never saw the relay before as for those that reserve there again.
    expect(relay.address).toBe(before)
    const carol = await ExtensionProfile.launch({ name: 'carol' })
    try {
      const [, carolId] = await pairUp(relay, alice, carol, ['Alice', 'Carol'])
      expect((await carol.api({ method: 'send', peerId: aliceId, text: 'Carol, through the restarted relay', awaitDelivery: true })).state).toBe('delivered')
      expect((await alice.messages(carolId)).map(m => [m.direction, m.text])).toEqual([['in', 'Carol, through the restarted relay']])
    } finally {
      await carol.close()
    }
    expect((await bob.api({ method: 'send', peerId: aliceId, text: 'and Bob after it restarted', awaitDelivery: true })).state).toBe('delivered')
    expect((await alice.messages(bobId)).map(m => [m.direction, m.text, m.state])).toEqual([
      ['out', 'over a relay with no certificate to buy', 'delivered'],
      ['in', 'and Bob after it restarted', 'received']
    ])
  } finally {
    await Promise.all([alice.close(), bob.close()])
    await relay.stop()
  }
})
