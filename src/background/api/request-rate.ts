import { ResourceLimitError } from '../../common/errors/index.ts'

/**
 * Counts each client's requests per second, so one client flooding Peerlink
 * is refused (`ResourceLimitError` 'client-requests-per-second') while the
 * others are served. Kept in memory: a worker restart forgets it.
 */
export function makeRequestRate (perSecond: number, now: () => number = Date.now): { take: (client: string) => void } {
  const windows = new Map<string, { second: number, count: number }>()
  return {
    take (client) {
      const second = Math.floor(now() / 1000)
      // Bounded: clients heard from in earlier seconds are dropped once many are known.
      if (windows.size > 256) for (const [key, w] of windows) if (w.second !== second) windows.delete(key)
      const window = windows.get(client)
      if (window?.second !== second) {
        windows.set(client, { second, count: 1 })
        return
      }
      window.count += 1
      if (window.count > perSecond) throw new ResourceLimitError('client-requests-per-second', perSecond, window.count)
    }
  }
}
