import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A web page that does nothing by itself: whatever it does with `window.peerlink` the test does, as the site's own script would. */
const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Peerlink test site</title></head><body><h1>Peerlink test site</h1></body></html>'

/**
 * The path of a page the site serves sandboxed (`Content-Security-Policy:
 * sandbox allow-scripts`): its document has an opaque origin although its URL
 * is on the site, as a site serves what users upload.
 */
export const SANDBOXED_PATH = '/sandboxed'

/** A plain web site on one loopback address and a port of its own: one origin. */
export class SiteServer {
  readonly #server: Server
  readonly origin: string

  private constructor (server: Server, origin: string) {
    this.#server = server
    this.origin = origin
  }

  /** Serves the page on `host` (127.0.0.1, 127.0.0.2, …: every 127/8 address is loopback) at a free port. */
  static async start (host: string): Promise<SiteServer> {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      if (req.url === SANDBOXED_PATH) res.setHeader('content-security-policy', 'sandbox allow-scripts')
      res.end(PAGE)
    })
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, resolve) })
    return new SiteServer(server, `http://${host}:${(server.address() as AddressInfo).port}`)
  }

  get url (): string {
    return `${this.origin}/`
  }

  /** A page of the site served sandboxed: on the site's URL, in an opaque origin. */
  get sandboxedUrl (): string {
    return `${this.origin}${SANDBOXED_PATH}`
  }

  async stop (): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>(resolve => { this.#server.close(() => { resolve() }) })
  }
}
