/**
 * Peerlink's MAIN-world script on an allowed page's top frame: defines
 * `window.peerlink`. Registered only for origins the user allowed; built as
 * a classic script, since content scripts cannot be modules.
 */
import { makePeerlinkClientOn } from '../client/peerlink-client.ts'
import { makeBridgeTransport } from './bridge-transport.ts'
import { makePagePeerlink } from './page-api.ts'
import { documentIsItsOrigin } from './site-message.ts'

// Once per page (the popup may inject into a page whose registered scripts already ran), and never in a
// sandboxed document on the site's URL: its origin is not the site's.
if (window.top === window && documentIsItsOrigin() && !Object.hasOwn(window, 'peerlink')) {
  const transport = makeBridgeTransport()
  Object.defineProperty(window, 'peerlink', { value: Object.freeze(makePagePeerlink(makePeerlinkClientOn(transport))), configurable: true, enumerable: false, writable: false })
  // A page on another port of an allowed host (patterns without ports) gets nothing after all.
  transport.onWithdrawn(() => { Reflect.deleteProperty(window, 'peerlink') })
  dispatchEvent(new CustomEvent('peerlink:ready'))
}
