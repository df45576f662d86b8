import { describe, expect, it } from 'vitest'
import { NotAuthorizedError } from '../../common/errors/index.ts'
import { callerOf } from './caller.ts'

const own = { ownId: 'peerlinkpeerlinkpeerlinkpeerlink', ownOrigin: 'chrome-extension://peerlinkpeerlinkpeerlinkpeerlink' }
const reason = (run: () => unknown): string | undefined => {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(NotAuthorizedError)
    return (err as NotAuthorizedError).data.reason
  }
  return undefined
}

describe('callerOf', () => {
  it('knows Peerlink\'s own pages by their URL, in either browser', () => {
    expect(callerOf({ id: own.ownId, url: `${own.ownOrigin}/popup/popup.html`, origin: own.ownOrigin }, own, false)).toEqual({ kind: 'own' })
    // Firefox reports no `origin`, and gives extension URLs an opaque one.
    expect(callerOf({ id: 'peerlink@peerlink.dev', url: 'moz-extension://1234/options/options.html' }, { ownId: 'peerlink@peerlink.dev', ownOrigin: 'moz-extension://1234' }, false)).toEqual({ kind: 'own' })
  })

  it('names another extension by the id the browser reports, whatever its message says', () => {
    expect(callerOf({ id: 'abcdefghijklmnopabcdefghijklmnop', url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/chat.html' }, own, true, 'https://forged.example'))
      .toEqual({ kind: 'client', client: 'extension:abcdefghijklmnopabcdefghijklmnop' })
    // An external message never counts as Peerlink's own, even with Peerlink's id.
    expect(reason(() => callerOf({ id: own.ownId }, own, true))).toBe('not-allowed')
    expect(reason(() => callerOf({}, own, true))).toBe('not-allowed')
  })

  it('takes a site\'s origin from the sender, and refuses a content script claiming another', () => {
    const sender = { id: own.ownId, url: 'http://127.0.0.1:8123/chat.html?x=1', origin: 'http://127.0.0.1:8123' }
    expect(callerOf(sender, own, false, 'http://127.0.0.1:8123')).toEqual({ kind: 'client', client: 'origin:http://127.0.0.1:8123' })
    expect(reason(() => callerOf(sender, own, false, 'https://bank.example'))).toBe('origin')
    // Firefox: the origin comes from the URL.
    expect(callerOf({ id: own.ownId, url: 'https://app.example/a/b' }, own, false, 'https://app.example')).toEqual({ kind: 'client', client: 'origin:https://app.example' })
    expect(reason(() => callerOf({ id: own.ownId, url: 'file:///etc/passwd' }, own, false))).toBe('not-allowed')
  })

  it('refuses a sandboxed document on a site\'s URL: the browser reports its opaque origin, whatever the URL and the claim say', () => {
    // What Chromium 156 and Firefox 153 report for a content script in a page served with `CSP: sandbox allow-scripts`.
    const sandboxed = { id: own.ownId, url: 'http://127.0.0.1:8123/sandboxed', origin: 'null' }
    expect(reason(() => callerOf(sandboxed, own, false, 'http://127.0.0.1:8123'))).toBe('not-allowed')
    expect(reason(() => callerOf(sandboxed, own, false))).toBe('not-allowed')
  })

  it('refuses an internal message from anyone but Peerlink itself', () => {
    expect(reason(() => callerOf({ id: 'someone-else', url: `${own.ownOrigin}/popup/popup.html` }, own, false))).toBe('not-allowed')
  })
})
