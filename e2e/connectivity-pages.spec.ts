import { startStunServer, type StunServer } from '../relay/stun/index.ts'
import { ResourceLimitError, ValidationError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'

// On one machine with no NAT the Check finds host candidates only: the STUN server here answers with
// the host's own address, which Chromium drops as redundant, and nothing listens at the TURN URL. The
// other verdicts are unit-tested (src/ui/ice-verdict.test.ts); the STUN one is also seen across a real NAT (e2e/nat.spec.ts).
const LOCAL_VERDICT = 'This browser can reach peers on the same network directly, but no one behind another NAT.'

/** The error a call rejects with. */
async function failure (call: Promise<unknown>): Promise<Error> {
  return await call.then(() => { throw new Error('accepted') }, (err: unknown) => err as Error)
}

/** The contacts as stored in the profile's extension storage (where their addresses are kept). */
async function storedContacts (profile: ExtensionProfile): Promise<Array<{ peerId: string, addresses?: string[] }>> {
  await profile.status() // wakes the worker
  const stored = await profile.worker!.evaluate(async () => await chrome.storage.local.get(null))
  return Object.entries(stored).filter(([key]) => key.startsWith('contact/')).map(([, contact]) => contact as { peerId: string, addresses?: string[] })
}

/** This profile's contact card, as its popup shows it. */
async function ownCard (profile: ExtensionProfile): Promise<{ text: string, link: string }> {
  const popup = await profile.open('popup/popup.html')
  await popup.getByText('Your contact card').click()
  const text = popup.locator('#own-card')
  await expect(text).toHaveText(/^peerlink:/)
  await expect(popup.getByRole('img', { name: 'QR code of your contact card' })).toBeVisible()
  const card = { text: (await text.textContent())!, link: (await popup.getByRole('link', { name: 'Link to add me' }).getAttribute('href'))! }
  await popup.close()
  return card
}

test.describe('connectivity settings', () => {
  let stun: StunServer
  test.beforeAll(async () => { stun = await startStunServer({ host: '127.0.0.1', port: 0 }) })
  test.afterAll(async () => { await stun.close() })

  test('options: ICE servers set in the Connectivity section are in use as the user\'s, without credentials, and Check says what the browser can reach', async ({ fresh }) => {
    const { alice } = fresh
    const options = await alice.open('options/options.html')
    const section = options.locator('#connectivity')
    const inUse = options.getByRole('list', { name: 'ICE servers in use' })
    await expect(inUse).toContainText('None')

    await section.getByRole('button', { name: 'Add a server' }).click()
    await section.getByRole('group', { name: 'Server 1' }).getByLabel('URLs').fill(`stun:127.0.0.1:${stun.port}`)
    await section.getByRole('button', { name: 'Add a server' }).click()
    const turn = section.getByRole('group', { name: 'Server 2' })
    await turn.getByLabel('URLs').fill('turn:127.0.0.1:3478?transport=udp')
    await turn.getByLabel('Username (TURN only)').fill('alice')
    await turn.getByLabel('Credential (TURN only)').fill('s3cret-turn')
    await expect(turn.getByLabel('Credential (TURN only)')).toHaveAttribute('type', 'password')
    await section.getByRole('button', { name: 'Save ICE servers' }).click()
    await expect(section.getByRole('status').filter({ hasText: 'ICE servers saved and applied.' })).toBeVisible()
    await expect(inUse.getByRole('listitem')).toHaveCount(2)
    await expect(inUse).toContainText(`stun:127.0.0.1:${stun.port}`)
    await expect(inUse.getByRole('listitem').first()).toContainText('yours')

    const status = await alice.status()
    expect(status.iceServers).toEqual([
      { urls: [`stun:127.0.0.1:${stun.port}`], source: 'user' },
      { urls: ['turn:127.0.0.1:3478?transport=udp'], source: 'user' }
    ])
    expect(JSON.stringify(status)).not.toContain('s3cret-turn')

    // What was saved comes back in the form when the page opens again.
    const again = await alice.open('options/options.html')
    await expect(again.getByRole('group', { name: 'Server 2' }).getByLabel('Username (TURN only)')).toHaveValue('alice')

    await section.getByRole('button', { name: 'Check' }).click()
    const verdict = options.locator('#ice-check-result')
    await expect(verdict).toHaveText(LOCAL_VERDICT, { timeout: 30_000 })
    await expect(section).toContainText(`Checked with stun:127.0.0.1:${stun.port}, turn:127.0.0.1:3478?transport=udp.`)

    // Removing them all leaves nothing in use: no server is ever a default.
    for (const name of ['Remove server 2', 'Remove server 1']) await section.getByRole('button', { name }).click()
    await section.getByRole('button', { name: 'Save ICE servers' }).click()
    await expect(inUse).toContainText('None')
    expect((await alice.status()).iceServers).toEqual([])
  })

  test('options: a public preset is added only on purpose and names who runs it', async ({ fresh }) => {
    const { alice } = fresh
    const options = await alice.open('options/options.html')
    const preset = options.getByLabel('Preset')
    await expect(preset).toHaveValue('')
    await expect(preset.locator('option')).toContainText([/Choose/, /run by Google LLC/, /run by Cloudflare, Inc\./])
    await preset.selectOption({ label: 'Google\'s public STUN server (stun.l.google.com:19302), run by Google LLC' })
    await options.getByRole('button', { name: 'Add preset' }).click()
    await expect(options.getByRole('group', { name: 'Server 1' }).getByLabel('URLs')).toHaveValue('stun:stun.l.google.com:19302')
    // Not saved: nothing is in use, and so nothing is contacted.
    expect((await alice.status()).iceServers).toEqual([])
  })

  test('bad ICE servers are refused on the options page and through the API, naming the field, and change nothing', async ({ fresh }) => {
    const { alice } = fresh
    await alice.api({ method: 'setIceServers', iceServers: [{ urls: `stun:127.0.0.1:${stun.port}` }] })
    const before = (await alice.status()).iceServers
    expect(before).toEqual([{ urls: [`stun:127.0.0.1:${stun.port}`], source: 'user' }])

    const options = await alice.open('options/options.html')
    const server = options.getByRole('group', { name: 'Server 1' })
    await server.getByLabel('URLs').fill(`stun:127.0.0.1:${stun.port}\nstun:127.0.0.1:99999`)
    await options.getByRole('button', { name: 'Save ICE servers' }).click()
    await expect(server.locator('.error').first()).toHaveText('URL 2: the port must be a number from 1 to 65535, not "99999"')
    await server.getByLabel('URLs').fill('turn:127.0.0.1:3478')
    await options.getByRole('button', { name: 'Save ICE servers' }).click()
    await expect(server.getByText('a TURN server needs a username')).toBeVisible()
    expect((await alice.status()).iceServers).toEqual(before)

    const badUrl = await failure(alice.api({ method: 'setIceServers', iceServers: [{ urls: 'stun:ok.example' }, { urls: ['https://example.org'] }] }))
    expect(badUrl).toBeInstanceOf(ValidationError)
    expect((badUrl as ValidationError).data).toMatchObject({ field: 'iceServers.1.urls.0', reason: expect.stringMatching(/not an ICE server URL/) })
    const noCredential = await failure(alice.api({ method: 'setIceServers', iceServers: [{ urls: 'turns:turn.example:5349', username: 'u' }] }))
    expect((noCredential as ValidationError).data.field).toBe('iceServers.0.credential')
    const tooMany = await failure(alice.api({ method: 'setIceServers', iceServers: Array.from({ length: 9 }, (_, i) => ({ urls: `stun:127.0.0.1:${3000 + i}` })) }))
    expect(tooMany).toBeInstanceOf(ResourceLimitError)
    expect((tooMany as ResourceLimitError).data).toEqual({ limitType: 'ice-servers', limit: 8, current: 9 })
    expect((await alice.status()).iceServers).toEqual(before)
  })
})

test('contact cards: a newcomer opens a card\'s link, adds the contact with its addresses, takes its relay, and they message', async ({ fresh, relay }) => {
  test.setTimeout(120_000)
  const { alice, aliceId } = fresh
  const carol = await ExtensionProfile.launch({ name: 'carol' })
  try {
    const aliceCard = await ownCard(alice)
    // Her relay's circuit address, and the token that lets the card's holder leave her mail there.
    expect(aliceCard.text).toBe(`peerlink:${aliceId}?a=${relay.address}/p2p-circuit/p2p/${aliceId}&t=${(await alice.status()).cardToken}`)
    expect(aliceCard.link).toContain('/popup/popup.html?tab&card=')

    // Carol has no relay and no card of her own yet.
    const carolPopup = await carol.open('popup/popup.html')
    await carolPopup.getByText('Your contact card').click()
    await expect(carolPopup.locator('#card')).toContainText('Your card appears once Peerlink is reserved on a relay')
    await carolPopup.close()

    // The link opens Carol's Peerlink with Alice's card in the add form (every profile here has the same extension id).
    const linked = await carol.context.newPage()
    await linked.goto(aliceCard.link)
    await expect(linked.getByLabel('Peer ID or contact card')).toHaveValue(aliceCard.text)
    await linked.getByLabel('Name (optional)').fill('Alice')
    await linked.getByRole('button', { name: 'Add contact' }).click()
    await expect(linked.getByRole('list', { name: 'Contacts' })).toContainText('Alice')
    await expect(linked.locator('#contacts').getByRole('status')).toHaveText('You had no relay: Peerlink now uses the relay from this card (see Options).')
    expect(await storedContacts(carol)).toMatchObject([{ peerId: aliceId, addresses: [`${relay.address}/p2p-circuit/p2p/${aliceId}`] }])
    const carolStatus = await carol.waitForStatus(s => s.relays.some(r => r.address === relay.address && r.state === 'reserved'), 'a reservation on the card\'s relay')
    const carolId = carolStatus.peerId!

    // Alice pastes Carol's card, now that Carol has one.
    const carolCard = await ownCard(carol)
    const alicePopup = await alice.open('popup/popup.html')
    await alicePopup.getByRole('button', { name: 'New contact' }).click()
    await alicePopup.getByLabel('Peer ID or contact card').fill(carolCard.text)
    await alicePopup.getByLabel('Name (optional)').fill('Carol')
    await alicePopup.getByRole('button', { name: 'Add contact' }).click()
    await expect(alicePopup.getByRole('list', { name: 'Contacts' })).toContainText('Carol')
    expect((await storedContacts(alice)).find(c => c.peerId === carolId)?.addresses).toEqual([`${relay.address}/p2p-circuit/p2p/${carolId}`])

    const sent = await carol.api({ method: 'send', peerId: aliceId, text: 'hello from a card', awaitDelivery: true })
    expect(sent.state).toBe('delivered')
    await expect(alicePopup.getByRole('button', { name: /Carol/ })).toContainText(/Direct \(WebRTC\)|Through a TURN server|Through the relay/)
  } finally {
    await carol.close()
  }
})

test('a malformed card, foreign or too many addresses are refused in the popup and through the API, and change nothing', async ({ fresh, relay }) => {
  const { alice, aliceId, bobId } = fresh
  const before = await alice.status()
  const popup = await alice.open('popup/popup.html')
  await popup.getByRole('button', { name: 'New contact' }).click()
  const field = popup.getByLabel('Peer ID or contact card')
  const alert = popup.locator('#contacts').getByRole('alert')
  const add = popup.getByRole('button', { name: 'Add contact' })

  await field.fill('peerlink:12D3KooWnotreally?a=/ip4/127.0.0.1/tcp/1/ws')
  await add.click()
  await expect(alert).toContainText('is not a valid libp2p peer id')

  // Bob's card with one of Alice's addresses slipped in: it would send dials for Bob to Alice.
  const bobsAddress = `${relay.address}/p2p-circuit/p2p/${bobId}`
  const foreign = `${relay.address}/p2p-circuit/p2p/${aliceId}`
  await field.fill(`peerlink:${bobId}?a=${bobsAddress}&a=${foreign}`)
  await add.click()
  await expect(alert).toHaveText(`Address 2 of the card: "${foreign}" is an address of another peer (${aliceId}), not of ${bobId}`)

  await field.fill(`peerlink:${bobId}?a=${bobsAddress}&x=1`)
  await add.click()
  await expect(alert).toContainText('a card carries only a=<address> parts')

  const nine = Array.from({ length: 9 }, (_, i) => `a=/ip4/127.0.0.1/tcp/${4000 + i}/ws/p2p/${bobId}`).join('&')
  await field.fill(`peerlink:${bobId}?${nine}`)
  await add.click()
  await expect(alert).toHaveText('A card carries at most 8 addresses.')

  const malformed = await failure(alice.api({ method: 'addPeer', card: `peerlink:${bobId}` }))
  expect(malformed).toBeInstanceOf(ValidationError)
  expect((malformed as ValidationError).data.field).toBe('card')
  const foreignApi = await failure(alice.api({ method: 'addPeer', peerId: bobId, addresses: [bobsAddress, foreign] }))
  expect((foreignApi as ValidationError).data).toMatchObject({ field: 'addresses.1', reason: expect.stringMatching(/address of another peer/) })
  const notAddress = await failure(alice.api({ method: 'addPeer', peerId: bobId, addresses: ['/ip4/127.0.0.1/tcp/9'] }))
  expect((notAddress as ValidationError).data.field).toBe('addresses.0')
  const tooMany = await failure(alice.api({ method: 'addPeer', peerId: bobId, addresses: Array.from({ length: 9 }, (_, i) => `/ip4/127.0.0.1/tcp/${4000 + i}/ws/p2p/${bobId}`) }))
  expect(tooMany).toBeInstanceOf(ResourceLimitError)
  expect((tooMany as ResourceLimitError).data).toEqual({ limitType: 'contact-addresses', limit: 8, current: 9 })
  const mismatch = await failure(alice.api({ method: 'addPeer', peerId: aliceId, card: `peerlink:${bobId}?a=${bobsAddress}` }))
  expect((mismatch as ValidationError).data.field).toBe('peer id')

  const after = await alice.status()
  expect(after.peers.map(p => [p.peerId, p.name])).toEqual(before.peers.map(p => [p.peerId, p.name]))
  expect(after.relays.map(r => r.address)).toEqual(before.relays.map(r => r.address))
  // Bob's addresses may be learned from Bob himself meanwhile; none of the refused ones is among them.
  const kept = (await storedContacts(alice)).find(c => c.peerId === bobId)?.addresses ?? []
  expect(kept.filter(a => a === foreign || a.includes('/tcp/4000/'))).toEqual([])
})
