import { expect, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'

test('options: remove the relay and add it again; its state shows live', async ({ fresh, relay }) => {
  const { alice } = fresh
  const options = await alice.open('options/options.html')
  const relays = options.getByRole('list', { name: 'Relays' })
  await expect(relays).toContainText('Connected')
  await options.getByRole('button', { name: `Remove relay ${relay.address}` }).click()
  await expect(relays).toContainText('No relays configured')
  await options.getByLabel('Relay address').fill(relay.address)
  await options.getByRole('button', { name: 'Add relay' }).click()
  await expect(relays).toContainText(relay.address)
  await expect(relays).toContainText('Connected')
  expect((await alice.status()).relays).toMatchObject([{ address: relay.address, state: 'reserved' }])
})

test('popup: add a contact by peer id and name; it shows in the popup and on the options page', async ({ fresh }) => {
  const { alice } = fresh
  const carol = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
  const popup = await alice.open('popup/popup.html')
  // With conversations listed, the add form waits behind New contact, which puts the cursor in it.
  await expect(popup.getByLabel('Peer ID')).toBeHidden()
  await popup.getByRole('button', { name: 'New contact' }).click()
  await expect(popup.getByLabel('Peer ID')).toBeFocused()
  await popup.keyboard.type(carol)
  await popup.getByLabel('Name (optional)').fill('Carol')
  await popup.getByRole('button', { name: 'Add contact' }).click()
  await expect(popup.getByRole('list', { name: 'Contacts' })).toContainText('Carol')
  await expect(popup.getByRole('heading', { name: 'Conversation with Carol' })).toBeVisible()
  const options = await alice.open('options/options.html')
  await expect(options.getByLabel(`Name for ${carol}`)).toHaveValue('Carol')
})

test('a failed message shows why, and its retry button sends that same message again: delivered once, stored once', async ({ fresh }) => {
  test.setTimeout(120_000)
  const { alice, bob, aliceId, bobId } = fresh
  const popup = await alice.open('popup/popup.html')
  await popup.getByRole('button', { name: /Bob/ }).click()
  // Bob's browser is closed, so nothing of this message can reach him; then Alice closes the conversation.
  await bob.close()
  await popup.getByLabel('Message', { exact: true }).fill('this one will fail')
  await popup.getByLabel('Message', { exact: true }).press('Enter')
  const log = popup.getByRole('log', { name: 'Messages' })
  await expect(log.locator('li.out', { hasText: 'this one will fail' })).toBeVisible()
  await alice.api({ method: 'closePeer', peerId: bobId })
  const failed = log.locator('li.out.failed', { hasText: 'this one will fail' })
  await expect(failed).toContainText('Not delivered: the conversation was closed')

  // Bob is back with the same profile and Alice opens the conversation again: a failed message
  // stays failed (reconnecting sends nothing of it); Retry sends it.
  const bobAgain = await ExtensionProfile.launch({ name: 'bob-again', userDataDir: bob.userDataDir })
  try {
    await alice.api({ method: 'reconnectPeer', peerId: bobId })
    await alice.waitForStatus(s => s.peers[0]?.state === 'connected', 'Alice connected to Bob again', 60_000)
    await expect(failed).toContainText('Not delivered: the conversation was closed')
    await failed.getByRole('button', { name: 'Retry' }).click()
    await expect(log.locator('li.out.delivered', { hasText: 'this one will fail' })).toHaveCount(1, { timeout: 60_000 })
    await expect(log.locator('li.out', { hasText: 'this one will fail' })).toHaveCount(1)
    await expect.poll(async () => (await bobAgain.messages(aliceId)).filter(m => m.text === 'this one will fail').length).toBe(1)
  } finally {
    await bobAgain.close()
  }
})

test('options: lowering the message size limit takes effect at once; reset to defaults restores it', async ({ fresh }) => {
  const { alice } = fresh
  const options = await alice.open('options/options.html')
  // Limits are folded under Advanced, out of the way of what people change.
  await expect(options.getByLabel('Message size (KiB)')).toBeHidden()
  await options.getByText('Advanced', { exact: true }).click()
  await options.getByLabel('Message size (KiB)').fill('2')
  await options.getByRole('button', { name: 'Save limits' }).click()
  await expect(options.getByRole('status').filter({ hasText: 'Saved and applied.' })).toBeVisible()

  const popup = await alice.open('popup/popup.html')
  await popup.getByRole('button', { name: /Bob/ }).click()
  await popup.getByLabel('Message', { exact: true }).fill('x'.repeat(3000))
  await popup.getByRole('button', { name: 'Send' }).click()
  await expect(popup.locator('#conversation').getByRole('alert')).toContainText('Limit "message-bytes" exceeded: 3000 > 2048')

  // A value out of range is refused with a message beside it, and nothing changes.
  await options.getByLabel('Inactivity timeout (seconds)').fill('1')
  await options.getByRole('button', { name: 'Save limits' }).click()
  await expect(options.locator('#limit-inactivityTimeoutMs-error')).toContainText('at least 5000')
  expect((await alice.status()).limits.inactivityTimeoutMs).toBe(120_000)

  await options.getByRole('button', { name: 'Reset to defaults' }).click()
  await expect(options.getByLabel('Message size (KiB)')).toHaveValue('1024')
  await popup.getByRole('button', { name: 'Send' }).click()
  // The first message of this pair also dials Bob, which on a loaded machine can take a while.
  await expect(popup.getByRole('log', { name: 'Messages' }).locator('li.out').last()).toContainText('Delivered', { timeout: 60_000 })
})

test('options: the storage line says what the conversations take, and follows as messages are stored', async ({ fresh }) => {
  const { alice, bob, aliceId, bobId } = fresh
  const options = await alice.open('options/options.html')
  const line = options.locator('#storage-used')
  await expect(line).toContainText(/Conversations and queues use [\d.]+ (B|KiB|MiB) of the [\d.]+ (B|KiB|MiB)/)
  const before = await line.textContent()
  // About 4 MB from Bob: the line is read again within seconds of the status changing, not on every change.
  const burst = Array.from({ length: 16 }, (_, i) => ({ text: `${i} ${'x'.repeat(60_000)}` }))
  for (let i = 0; i < 4; i++) await bob.api({ method: 'sendMany', peerId: aliceId, messages: burst })
  await alice.waitForStatus(s => s.peers.find(p => p.peerId === bobId)?.unread === 64, 'all 64 at Alice', 60_000)
  await expect(line).not.toHaveText(before!)
  await expect(line).toContainText('Conversations and queues use')
})

test('unread messages show on the toolbar badge and clear when the conversation is opened', async ({ fresh }) => {
  const { alice, bob, bobId } = fresh
  const badge = async (): Promise<string> => await bob.worker!.evaluate(async () => await chrome.action.getBadgeText({}))
  await alice.api({ method: 'send', peerId: bobId, text: 'one', awaitDelivery: true })
  await alice.api({ method: 'send', peerId: bobId, text: 'two', awaitDelivery: true })
  await expect.poll(badge).toBe('2')
  const popup = await bob.open('popup/popup.html')
  await popup.getByRole('button', { name: /Alice/ }).click()
  await expect.poll(badge).toBe('')
  expect((await bob.status()).peers[0]?.unread).toBe(0)
})

test('options: the key is exported only after a warning, and a bad key is refused without changing anything', async ({ fresh }) => {
  const { alice } = fresh
  const before = (await alice.status()).peerId
  const options = await alice.open('options/options.html')
  const dialogs: string[] = []
  options.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.accept() })
  await options.getByRole('button', { name: 'Export key…' }).click()
  await expect(options.getByLabel('Private key')).not.toHaveValue('')
  expect(dialogs[0]).toContain('Anyone who sees it can pose as you')

  await options.getByLabel('Private key').fill('not a key at all')
  await options.getByRole('button', { name: 'Import key…' }).click()
  await expect(options.locator('#identity').getByRole('alert')).toContainText('not a Peerlink key')
  expect((await alice.status()).peerId).toBe(before)
})
