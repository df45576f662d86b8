/**
 * How fast the popup shows what a person opened it for: the list of
 * conversations, then the newest page of the most recent one, from the
 * navigation of `popup.html?tab` in a real Chromium profile that holds a
 * conversation of 1,000 messages.
 */
import { makePair } from '../../e2e/fixtures.ts'
import type { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import type { RelayProcess } from '../../e2e/support/relay-process.ts'
import { POPUP_FIRST_PAGE } from '../../src/common/constants.ts'

const MESSAGES = 1_000
const OPENS = 10

type Record = (key: string, name: string, unit: string, runs: number[]) => void

interface Open {
  list: number
  conversation: number
  /** When the page's HTML had arrived, and when its scripts had run (DOMContentLoaded): what the browser spends before the popup's code can do anything. */
  html: number
  scripts: number
}

/** Ms from navigation until the list of conversations shows, and until the conversation's first page does. */
async function openOnce (profile: ExtensionProfile): Promise<Open> {
  const page = await profile.context.newPage()
  try {
    await page.goto(profile.url('popup/popup.html?tab'), { waitUntil: 'commit' })
    const list = await (await page.waitForFunction(() => document.querySelector('#contacts button.contact') != null && performance.now(), undefined, { polling: 'raf' })).jsonValue() as number
    const conversation = await (await page.waitForFunction((expected) => document.querySelectorAll('ul.messages li.message').length >= expected && performance.now(),
      POPUP_FIRST_PAGE, { polling: 'raf' })).jsonValue() as number
    const { html, scripts } = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
      return { html: nav.responseEnd, scripts: nav.domContentLoadedEventStart }
    })
    return { list, conversation, html, scripts }
  } finally {
    await page.close()
  }
}

/** Opens the popup `OPENS` times on a profile with one conversation of 1,000 messages; records both times. */
export async function benchPopupOpen (relay: RelayProcess, record: Record): Promise<void> {
  const { alice, bob, aliceId, bobId } = await makePair(relay)
  try {
    await bob.api({ method: 'setLimits', limits: { maxPendingMessagesPerPeer: MESSAGES } })
    await bob.api({ method: 'sendMany', peerId: aliceId, messages: Array.from({ length: MESSAGES }, (_, i) => ({ text: `message ${i}` })) })
    await alice.waitForStatus(s => s.peers.find(p => p.peerId === bobId)?.last != null && s.peers[0]!.unread >= MESSAGES, `${MESSAGES} messages at Alice`, 120_000)
    // The first open loads the pages' code from disk: measured as a person's first click, but apart.
    const first = await openOnce(alice)
    record('popup.first.list', 'first open of the popup → the list of conversations', 'ms', [first.list])
    const opens: Open[] = []
    for (let i = 0; i < OPENS; i++) opens.push(await openOnce(alice))
    record('popup.list', 'open the popup → the list of conversations', 'ms', opens.map(o => o.list))
    record('popup.html', 'open the popup → its HTML has arrived', 'ms', opens.map(o => o.html))
    record('popup.scripts', 'open the popup → its scripts have run (DOMContentLoaded)', 'ms', opens.map(o => o.scripts))
    record('popup.conversation', `open the popup → the newest ${POPUP_FIRST_PAGE} messages of the conversation`, 'ms', opens.map(o => o.conversation))
  } finally {
    await Promise.all([alice.close(), bob.close()])
  }
}
