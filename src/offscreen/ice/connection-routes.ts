/**
 * The route of each connection as last read from its ICE stats, so that
 * what the pages show comes from the candidate pair in use, and is read
 * again while a stream lives (ICE may move to another pair).
 */
import type { Connection } from '@libp2p/interface'
import { ROUTE_CHECK_DELAYS_MS } from '../../common/constants.ts'
import type { ConnectionView, Route } from '../../common/model.ts'
import { describeConnection, transportOf } from './connection-view.ts'
import { webRTCRoute } from './ice-route.ts'

export class ConnectionRoutes {
  readonly #known = new WeakMap<Connection, Exclude<Route, 'relay'>>()
  readonly #log: (format: string, ...args: unknown[]) => void

  constructor (log: (format: string, ...args: unknown[]) => void) {
    this.#log = log
  }

  /** The connection as the pages show it, with its route as last read. */
  view (connection: Connection): ConnectionView {
    return describeConnection(connection, this.#known.get(connection))
  }

  /** Reads a WebRTC connection's route from its stats; answers whether it changed. */
  async read (connection: Connection): Promise<boolean> {
    if (transportOf(connection.remoteAddr.toString()) !== 'webrtc' || connection.status !== 'open') return false
    try {
      const route = await webRTCRoute(connection)
      if (route == null || route === this.#known.get(connection)) return false
      this.#known.set(connection, route)
      return true
    } catch (err) {
      this.#log('no ICE stats for %a: %s', connection.remoteAddr, (err as Error).message)
      return false
    }
  }

  /**
   * Reads the route now and again a few times while `current()` holds,
   * calling `changed` whenever it differs from the last reading.
   */
  watch (connection: Connection, current: () => boolean, changed: () => void): void {
    const check = (): void => {
      if (!current()) return
      void this.read(connection).then((differs) => { if (differs && current()) changed() })
    }
    check()
    for (const delay of ROUTE_CHECK_DELAYS_MS) setTimeout(check, delay)
  }
}
