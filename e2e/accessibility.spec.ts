import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from '@playwright/test'
import type { AxeResults, RunOptions } from 'axe-core'
import { expect, makePair, test, type Pair } from './fixtures.ts'
import { NodePeer } from './support/node-peer.ts'

/** What axe checks: WCAG 2.1 A and AA, and its best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const CAROL = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'

interface View {
  name: string
  /** The extension page, from the extension's root. */
  path: string
  /** Brings the opened page into the state to check, and waits until it shows it. */
  ready?: (page: Page) => Promise<void>
}

/** Unfolds the contact card, so its text, buttons and QR code are checked too. */
async function unfoldCard (page: Page): Promise<void> {
  await page.locator('#card summary').click()
  await expect(page.locator('#own-card')).toBeVisible()
}

/** Every page, in the state a person sees it with contacts, messages, a failed one and a connection request. One line per page. */
const VIEWS: View[] = [
  { name: 'popup: the newest conversation (a failed message), a connection request, the card unfolded', path: 'popup/popup.html', ready: async (page) => {
    await expect(page.getByRole('log', { name: 'Messages' }).locator('li.failed')).toBeVisible()
    await expect(page.getByRole('list', { name: 'Connection requests' }).getByRole('listitem')).toHaveCount(1)
    await unfoldCard(page)
    await page.getByRole('button', { name: 'New contact' }).click()
  } },
  { name: 'popup: a conversation with messages both ways', path: 'popup/popup.html', ready: async (page) => {
    await page.getByRole('button', { name: /Bob/ }).click()
    await expect(page.getByRole('log', { name: 'Messages' }).locator('li.in')).not.toHaveCount(0)
  } },
  { name: 'popup as a tab', path: 'popup/popup.html?tab', ready: async (page) => {
    await expect(page.getByRole('log', { name: 'Messages' }).locator('li.message').first()).toBeVisible()
    await unfoldCard(page)
  } },
  { name: 'options, Advanced unfolded', path: 'options/options.html', ready: async (page) => {
    await expect(page.getByRole('list', { name: 'Relays' })).toContainText('Connected')
    await page.getByText('Advanced', { exact: true }).click()
    await expect(page.getByRole('button', { name: 'Save limits' })).toBeVisible()
  } },
  { name: 'the welcome page', path: 'welcome/welcome.html', ready: async (page) => {
    await expect(page.getByText(/of 4 steps done/)).toBeVisible()
  } }
]

/**
 * Runs axe on the page as it is. Extension pages forbid inline scripts
 * (their CSP is `script-src 'self'`), and Playwright's addScriptTag inlines
 * the file, so it would be blocked; evaluate goes through the DevTools
 * protocol, which the page's CSP does not govern.
 */
async function violations (page: Page): Promise<AxeResults['violations']> {
  if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(AXE_SOURCE)
  return await page.evaluate(async (tags) => {
    const { axe } = window as unknown as { axe: { run: (context: Document, options: RunOptions) => Promise<AxeResults> } }
    return (await axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations
  }, TAGS)
}

/** The violations in words: rule, impact, what it asks, and each element it found. */
function describe (found: AxeResults['violations']): string {
  return found.map(v => `${v.id} (${v.impact ?? 'no impact'}): ${v.help}\n${v.nodes.map(n => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s*\n\s*/g, ' ') ?? ''}`).join('\n')}`).join('\n')
}

test.describe('accessibility', () => {
  let pair: Pair
  let stranger: NodePeer

  // One pair for every check: its state is built once, through the real relay.
  test.beforeAll(async ({ relay }) => {
    test.setTimeout(90_000)
    pair = await makePair(relay)
    const { alice, bob, aliceId, bobId } = pair
    await alice.api({ method: 'send', peerId: bobId, text: 'Hello Bob', awaitDelivery: true })
    await bob.api({ method: 'send', peerId: aliceId, text: 'Hi Alice', awaitDelivery: true })
    await bob.api({ method: 'send', peerId: aliceId, text: 'How are you?', awaitDelivery: true })
    // A contact never online: closing the conversation fails what waits for it.
    await alice.api({ method: 'addPeer', peerId: CAROL, name: 'Carol' })
    await alice.api({ method: 'send', peerId: CAROL, text: 'Are you there, Carol?' })
    await alice.api({ method: 'closePeer', peerId: CAROL })
    await alice.waitForStatus(s => s.peers.find(p => p.peerId === CAROL)?.pending.messages === 0, 'the message to Carol failed')
    // An unknown peer that tries to connect is refused and shown as a request.
    stranger = await NodePeer.start()
    await expect(stranger.openStream(relay.address, aliceId, 1)).rejects.toThrow()
    await alice.waitForStatus(s => s.requests.length > 0, 'the connection request')
  })

  test.afterAll(async () => {
    await stranger?.stop()
    await Promise.all([pair?.alice.close(), pair?.bob.close()])
  })

  for (const view of VIEWS) {
    test(`axe finds nothing on ${view.name}, light and dark`, async () => {
      const page = await pair.alice.context.newPage()
      try {
        await page.goto(pair.alice.url(view.path))
        await view.ready?.(page)
        const report: string[] = []
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme })
          const found = await violations(page)
          if (found.length > 0) report.push(`${colorScheme}:\n${describe(found)}`)
        }
        // Both themes checked before failing, and the failure names each rule and element rather than axe's whole answer.
        expect(report, `${view.name}:\n${report.join('\n')}`).toEqual([])
      } finally {
        await page.close()
      }
    })
  }

  test('the popup by keyboard alone: open a conversation, write and send; focus lands in the message box and shows', async () => {
    const page = await pair.alice.context.newPage()
    try {
      await page.goto(pair.alice.url('popup/popup.html'))
      await expect(page.getByRole('log', { name: 'Messages' }).locator('li.message').first()).toBeVisible()
      // The focused element's text; none when focus fell back to the page.
      const focused = async (): Promise<string> => await page.evaluate(() => document.activeElement === document.body ? '' : document.activeElement?.textContent ?? '')
      // Tab through the page to Bob's row in the list of conversations.
      let presses = 0
      while (!(await focused()).startsWith('Bob')) {
        expect(++presses, 'Bob\'s conversation reached by Tab').toBeLessThan(40)
        await page.keyboard.press('Tab')
      }
      const indicator = async (): Promise<{ outline: string, shadow: string }> => await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement!)
        return { outline: style.outlineStyle === 'none' ? 'none' : `${style.outlineWidth} ${style.outlineStyle}`, shadow: style.boxShadow }
      })
      expect(await indicator(), 'the focused contact shows it').not.toEqual({ outline: 'none', shadow: 'none' })
      // A message from Bob redraws his row and moves it to the top while it has the focus: the focus stays on it.
      await pair.bob.api({ method: 'send', peerId: pair.aliceId, text: 'Are you typing?', awaitDelivery: true })
      await expect(page.getByRole('button', { name: /Bob/ })).toContainText('Are you typing?')
      expect(await focused()).toContain('Are you typing?')
      await page.keyboard.press('Enter')
      await expect(page.getByRole('heading', { name: 'Conversation with Bob' })).toBeVisible()
      const box = page.getByLabel('Message', { exact: true })
      await expect(box).toBeFocused()
      expect(await indicator(), 'the message box shows focus').not.toEqual({ outline: 'none', shadow: 'none' })
      await page.keyboard.type('Sent by keyboard')
      await page.keyboard.press('Enter')
      await expect(page.getByRole('log', { name: 'Messages' }).locator('li.out', { hasText: 'Sent by keyboard' })).toContainText('Delivered')
      await expect(box).toBeFocused()
      await expect(box).toHaveValue('')
    } finally {
      await page.close()
    }
  })
})
