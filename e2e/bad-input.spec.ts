import { ResourceLimitError, UnknownPeerError, ValidationError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'

const STRANGER = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'

test('an invalid relay address gets a clear message on the options page and changes nothing', async ({ alice, relay }) => {
  // The relays as configured: their live state (a mailbox answer, say) may change meanwhile.
  const relays = async (): Promise<string[]> => (await alice.status()).relays.map(r => r.address)
  const before = await relays()
  const options = await alice.open('options/options.html')
  await expect(options.getByRole('list', { name: 'Relays' })).toContainText(relay.address)

  await options.getByLabel('Relay address').fill('/ip4/127.0.0.1/tcp/9090')
  await options.getByRole('button', { name: 'Add relay' }).click()
  await expect(options.locator('#relays').getByRole('alert')).toContainText('must use /ws, /wss, /webtransport or /webrtc-direct')

  await options.getByLabel('Relay address').fill('not a multiaddr')
  await options.getByRole('button', { name: 'Add relay' }).click()
  await expect(options.locator('#relays').getByRole('alert')).toContainText('is not a multiaddr')

  expect(await relays()).toEqual(before)
  await expect(options.getByRole('list', { name: 'Relays' }).getByRole('listitem')).toHaveCount(1)
})

test('the API rejects an invalid relay with a ValidationError naming it, and keeps the old relays', async ({ alice }) => {
  const before = (await alice.status()).relays
  const err = await alice.api({ method: 'setRelays', relays: [before[0]!.address, '/dns4/example.com/tcp/443/wss'] }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ValidationError)
  expect((err as ValidationError).data).toMatchObject({ field: 'relay address 2' })
  expect((err as ValidationError).message).toContain('must end with /p2p/')
  expect((await alice.status()).relays.map(r => r.address)).toEqual(before.map(r => r.address))
})

test('an invalid peer id gets a clear message in the popup and through the API, and changes nothing', async ({ alice }) => {
  const before = (await alice.status()).peers
  const popup = await alice.open('popup/popup.html')
  await popup.getByRole('button', { name: 'New contact' }).click()
  await popup.getByLabel('Peer ID').fill('12D3KooWnotreally')
  await popup.getByRole('button', { name: 'Add contact' }).click()
  await expect(popup.locator('#contacts').getByRole('alert')).toContainText('is not a valid libp2p peer id')

  const err = await alice.api({ method: 'addPeer', peerId: 'hello' }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ValidationError)
  expect((err as ValidationError).data.field).toBe('peer id')

  const self = await alice.api({ method: 'addPeer', peerId: (await alice.status()).peerId! }).catch((e: unknown) => e)
  expect((self as Error).message).toContain('own peer id')
  expect((await alice.status()).peers).toEqual(before)
})

test('sending to a stranger, an oversize message or an empty one fails with a typed error', async ({ alice, bob }) => {
  const unknown = await alice.api({ method: 'send', peerId: STRANGER, text: 'hi' }).catch((e: unknown) => e)
  expect(unknown).toBeInstanceOf(UnknownPeerError)
  expect((unknown as UnknownPeerError).data.peerId).toBe(STRANGER)

  const bobId = (await bob.status()).peerId!
  const oversize = await alice.api({ method: 'send', peerId: bobId, text: 'x'.repeat(1024 * 1024 + 1) }).catch((e: unknown) => e)
  expect(oversize).toBeInstanceOf(ResourceLimitError)
  expect((oversize as ResourceLimitError).data).toEqual({ limitType: 'message-bytes', limit: 1024 * 1024, current: 1024 * 1024 + 1 })

  const empty = await alice.api({ method: 'send', peerId: bobId, text: '' }).catch((e: unknown) => e)
  expect(empty).toBeInstanceOf(ValidationError)

  // None of them reached the outbox.
  expect((await alice.messages(bobId)).filter(m => m.text === '' || m.text.length > 1024 * 1024)).toEqual([])
  expect((await alice.status()).peers.find(p => p.peerId === bobId)?.pending.messages).toBe(0)
})

test('a malformed API request is refused with a ValidationError', async ({ alice }) => {
  const err = await alice.api({ method: 'nonsense' } as never).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ValidationError)
})
