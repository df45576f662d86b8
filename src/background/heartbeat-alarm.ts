import type { Alarms } from 'webextension-polyfill'
import { HEARTBEAT_BUSY_PERIOD_MS, HEARTBEAT_IDLE_PERIOD_MS } from '../common/constants.ts'

export const HEARTBEAT_ALARM = 'peerlink/heartbeat'

/**
 * The heartbeat alarm, whose period follows the work: every alarm is an
 * extension event that keeps the worker running, so while messages wait or
 * dials are due it beats every 30 s, and otherwise every few minutes, so an
 * idle worker stops as Chrome means it to.
 */
export function makeHeartbeatAlarm (alarms: Alarms.Static): { keep: (busy: boolean) => Promise<void> } {
  return {
    async keep (busy) {
      const periodInMinutes = (busy ? HEARTBEAT_BUSY_PERIOD_MS : HEARTBEAT_IDLE_PERIOD_MS) / 60_000
      const alarm = await alarms.get(HEARTBEAT_ALARM)
      // Created again only when its period changes: creating it restarts the period.
      if (alarm?.periodInMinutes !== periodInMinutes) await alarms.create(HEARTBEAT_ALARM, { periodInMinutes })
    }
  }
}
