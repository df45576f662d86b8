import { rmSync } from 'node:fs'
import { expect, pairUp, test } from './fixtures.ts'
import type { RelayProcess } from './support/relay-process.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { FirefoxProfile } from './support/firefox-profile.ts'
import { waitForText } from './support/page-text.ts'
import { numbered, sendNumbered, waitForAll } from './support/exchange.ts'
import { ClientPage, forFirefox, makeClientExtension } from './support/client-extension.ts'
import { NotAuthorizedError } from '../src/common/errors/index.ts'
import { sendFromPage, useBridgeFromSandbox, type Evaluate } from './support/sandboxed-page.ts'
import { SiteServer } from './support/site-server.ts'

interface MixedPair {
  firefox: FirefoxProfile
  chromium: ExtensionProfile
  firefoxId: string
  chromiumId: string
}

/** A Firefox profile and a Chromium profile, both reserved on the relay and each other's contact. */
async function makeMixedPair (relay: RelayProcess): Promise<MixedPair> {
  const [firefox, chromium] = await Promise.all([FirefoxProfile.launch({ name: 'firefox' }), ExtensionProfile.launch({ name: 'chromium' })])
  const [firefoxId, chromiumId] = await pairUp(relay, firefox, chromium, ['Firefox', 'Chromium'])
  return { firefox, chromium, firefoxId, chromiumId }
}

const mixed = test.extend<{ pair: MixedPair }>({
  pair: async ({ relay }, use) => {
    const pair = await makeMixedPair(relay)
    await use(pair)
    await Promise.all([pair.firefox.close(), pair.chromium.close()])
  }
})


mixed('Firefox and Chromium message each other both ways over direct WebRTC, from the Firefox popup and the API', async ({ pair }) => {
  const { firefox, chromium, firefoxId, chromiumId } = pair

  // Firefox's user writes in the popup, as in Chromium.
  const popup = await firefox.open('popup/popup.html')
  await waitForText(popup, '#contacts', 'Chromium')
  await popup.$$eval('button.contact', buttons => { buttons.find(b => b.textContent?.includes('Chromium'))?.click() })
  await popup.$eval('#message-text', (el) => { (el as HTMLTextAreaElement).value = 'hello from Firefox' })
  await popup.$eval('#conversation button[type=submit]', el => { (el as HTMLButtonElement).click() })
  await waitForText(popup, '#conversation li.out', 'Delivered')

  const reply = await chromium.api({ method: 'send', peerId: firefoxId, text: 'hello from Chromium', awaitDelivery: true })
  expect(reply.state).toBe('delivered')
  await waitForText(popup, '#conversation [role=log]', 'hello from Chromium')

  expect((await chromium.messages(firefoxId)).map(m => [m.direction, m.text])).toEqual([['in', 'hello from Firefox'], ['out', 'hello from Chromium']])
  expect((await firefox.messages(chromiumId)).map(m => [m.direction, m.text])).toEqual([['out', 'hello from Firefox'], ['in', 'hello from Chromium']])
  // Both ends see one WebRTC connection between the browsers, not the relayed one.
  for (const [profile, peerId] of [[firefox, chromiumId], [chromium, firefoxId]] as const) {
    const status = await profile.waitForStatus(s => s.peers.some(p => p.peerId === peerId && p.connection?.route === 'direct'), `${profile.name}: a direct WebRTC connection`)
    expect(status.peers.find(p => p.peerId === peerId)?.connection).toMatchObject({ transport: 'webrtc', direct: true })
  }

  // With Firefox's popup closed, a message raises a notification there, as in Chromium.
  await firefox.recordNotifications()
  await popup.close()
  await chromium.api({ method: 'send', peerId: firefoxId, text: 'while the popup is closed' })
  await expect.poll(async () => await firefox.shownNotifications(), { timeout: 30_000 })
    .toEqual([{ id: `messages/${chromiumId}`, title: 'Chromium', message: 'while the popup is closed' }])
})

mixed('Firefox\'s background page restarted mid-exchange: 300 messages each way, each delivered once and in order', async ({ pair }) => {
  test.setTimeout(180_000)
  const { firefox, chromium, firefoxId, chromiumId } = pair
  const count = 300
  const startedAt = await firefox.backgroundStartedAt()

  await Promise.all([
    sendNumbered(firefox, chromiumId, 'f', count, async (sent) => {
      if (sent !== 100) return
      const pending = (await firefox.status()).peers[0]?.pending.messages
      const started = Date.now()
      await firefox.restartBackground()
      console.log(`restarted Firefox's background page in ${Date.now() - started} ms, with ${pending} of its messages not yet delivered`)
    }),
    sendNumbered(chromium, firefoxId, 'c', count)
  ])
  const [atChromium, atFirefox] = await Promise.all([waitForAll(firefox, chromium, count, 120_000), waitForAll(chromium, firefox, count, 120_000)])

  expect(await firefox.backgroundStartedAt()).not.toBe(startedAt)
  expect(atChromium.received).toEqual(numbered('f', count))
  expect(atFirefox.received).toEqual(numbered('c', count))
  expect(atChromium.pending).toBe(0)
  expect(atFirefox.pending).toBe(0)
  // Nobody read them: Firefox's toolbar button says so. The heartbeat is scheduled again, and
  // with nothing left to send it beats slowly (every 5 min), so an idle Peerlink costs nothing.
  expect(await firefox.badgeText()).toBe('99+')
  await expect.poll(async () => (await firefox.heartbeat())?.periodInMinutes, { timeout: 10_000 }).toBe(5)
  const status = await firefox.waitForStatus(s => s.peers.some(p => p.peerId === chromiumId && p.connection?.route === 'direct'), 'a direct WebRTC connection again')
  expect(status.peers.find(p => p.peerId === chromiumId)?.connection).toMatchObject({ transport: 'webrtc', direct: true })
})

test('Firefox: another add-on calls Peerlink by its id: refused until allowed, then it messages a peer on its own channel', async ({ relay }) => {
  const app = makeClientExtension('chat')
  const appForFirefox = forFirefox(app)
  const firefox = await FirefoxProfile.launch({ name: 'firefox', extraExtensions: [appForFirefox] })
  const chromium = await ExtensionProfile.launch({ name: 'chromium' })
  try {
    const [firefoxId, chromiumId] = await pairUp(relay, firefox, chromium, ['Firefox', 'Chromium'])
    const chat = await ClientPage.openInFirefox(firefox, app, firefox.geckoId)
    expect(chat.client).toBe(`extension:${app.geckoId}`)

    const refused = await chat.api({ method: 'getStatus' }).then(() => null, (err: unknown) => err)
    expect(refused).toBeInstanceOf(NotAuthorizedError)
    expect((refused as NotAuthorizedError).data).toEqual({ client: chat.client, reason: 'not-allowed' })
    expect((await firefox.status()).clients.find(c => c.client === chat.client)).toMatchObject({ kind: 'extension', state: 'requested' })

    await firefox.api({ method: 'allowClient', client: chat.client })
    expect(await chat.api({ method: 'getStatus' })).toMatchObject({ peerId: firefoxId, client: chat.client, peers: [{ peerId: chromiumId, name: 'Chromium' }] })
    const forbidden = await chat.call({ method: 'exportIdentity' }).then(() => null, (err: unknown) => err)
    expect((forbidden as NotAuthorizedError).data).toMatchObject({ client: chat.client, reason: 'method', method: 'exportIdentity' })
    await chat.subscribe()
    await expect.poll(async () => (await chat.log()).events.some(e => e.type === 'subscribed')).toBe(true)

    const sent = await chat.api({ method: 'send', peerId: chromiumId, text: 'from an add-on in Firefox', id: 'ff-app-1', awaitDelivery: true })
    expect(sent.state).toBe('delivered')
    // It reached Chromium's Peerlink on the add-on's channel, not Peerlink's own conversation.
    expect(await chromium.messages(firefoxId)).toEqual([])
    expect((await chromium.api({ method: 'getMessages', peerId: firefoxId, channel: chat.client })).map(m => [m.text, m.channel])).toEqual([['from an add-on in Firefox', chat.client]])
  } finally {
    await Promise.all([firefox.close(), chromium.close()])
    for (const dir of [app.dir, appForFirefox]) rmSync(dir, { recursive: true, force: true })
  }
})

test('Firefox: an allowed site\'s page gets window.peerlink and sends; a sandboxed page on its URL gets nothing from the bridge', async ({ relay }) => {
  const site = await SiteServer.start('127.0.0.1')
  const [firefox, chromium] = await Promise.all([FirefoxProfile.launch({ name: 'firefox' }), ExtensionProfile.launch({ name: 'chromium' })])
  try {
    const [, chromiumId] = await pairUp(relay, firefox, chromium, ['Firefox', 'Chromium'])
    const client = `origin:${site.origin}` as const
    // What the popup's "Allow this site" does: the host permission (Firefox's patterns have no port), then the client.
    await firefox.grantSiteAccess('http://127.0.0.1/*')
    await firefox.api({ method: 'allowClient', client })
    const page = await firefox.openWebPage(site.url)
    await page.waitForFunction(() => 'peerlink' in window, { timeout: 20_000 })
    const onPage = (async (fn: (arg: unknown) => unknown, arg: unknown) => await page.evaluate(fn, arg)) as Evaluate
    expect(await sendFromPage(onPage, chromiumId, 'from the page')).toBe('delivered')

    const sandboxed = await firefox.openWebPage(site.sandboxedUrl)
    const seen = await useBridgeFromSandbox((async (fn: (arg: unknown) => unknown, arg: unknown) => await sandboxed.evaluate(fn, arg)) as Evaluate, { peerId: chromiumId, text: 'from a sandbox', id: 'from-sandbox' })
    expect(seen.origin).toBe('null')
    expect(seen.hasPeerlink).toBe(false)
    expect(seen.fromBridge).toContain('withdrawn')
    expect(seen.fromBridge).not.toContain('ready')
    expect(seen.fromBridge).not.toContain('response')

    expect(await sendFromPage(onPage, chromiumId, 'after the sandbox')).toBe('delivered')
    expect((await firefox.api({ method: 'getMessages', peerId: chromiumId, channel: client })).map(m => m.text)).toEqual(['from the page', 'after the sandbox'])
  } finally {
    await Promise.all([firefox.close(), chromium.close()])
    await site.stop()
  }
})
