import PQueue from 'p-queue'
import { MAX_RELAYS } from '../../common/constants.ts'
import { ResourceLimitError, ValidationError } from '../../common/errors/index.ts'
import { parseIceServers, type IceServer } from '../../common/ice-servers.ts'
import { DEFAULT_LIMITS, mergeLimits, type Limits } from '../../common/limits.ts'
import { parseRelayAddress } from '../../common/validators.ts'
import type { KeyValueStore } from './key-value-store.ts'

const SETTINGS_KEY = 'settings'

export interface Settings {
  relays: string[]
  /** STUN/TURN servers for WebRTC; none by default, so no traffic goes to public STUN. */
  iceServers: IceServer[]
  limits: Limits
  /** Let any peer open streams to us, not only contacts. Off by default. */
  acceptUnknownPeers: boolean
  /** System notifications for messages, connection requests and give-ups. On by default. */
  notifications: boolean
}

export const DEFAULT_SETTINGS: Settings = { relays: [], iceServers: [], limits: DEFAULT_LIMITS, acceptUnknownPeers: false, notifications: true }

/** The user's settings, validated on every change and persisted. */
export class SettingsStore {
  readonly #storage: KeyValueStore
  #current: Settings | undefined
  readonly #changes = new PQueue({ concurrency: 1 })

  constructor (storage: KeyValueStore) {
    this.#storage = storage
  }

  /** A store whose `current` settings are already read. */
  static async load (storage: KeyValueStore): Promise<SettingsStore> {
    const store = new SettingsStore(storage)
    await store.get()
    return store
  }

  /** The settings as last read or saved, for what must be read synchronously (limits on every send). */
  get current (): Settings {
    if (this.#current == null) throw new Error('settings read before they were loaded')
    return this.#current
  }

  async get (): Promise<Settings> {
    const stored = await this.#storage.get<Partial<Settings>>(SETTINGS_KEY) ?? {}
    this.#current = { ...DEFAULT_SETTINGS, ...stored, limits: { ...DEFAULT_LIMITS, ...stored.limits } }
    return this.#current
  }

  /** Changes some limits; every value is checked first, and on any error nothing changes. */
  async setLimits (change: unknown): Promise<Settings> {
    return await this.#change(current => ({ ...current, limits: mergeLimits(current.limits, change) }))
  }

  async setAcceptUnknownPeers (accept: unknown): Promise<Settings> {
    if (typeof accept !== 'boolean') throw new ValidationError('acceptUnknownPeers', 'expected true or false')
    return await this.#change(current => ({ ...current, acceptUnknownPeers: accept }))
  }

  async setNotifications (on: unknown): Promise<Settings> {
    if (typeof on !== 'boolean') throw new ValidationError('notifications', 'expected true or false')
    return await this.#change(current => ({ ...current, notifications: on }))
  }

  /** Every limit back to its default. */
  async resetLimits (): Promise<Settings> {
    return await this.#change(current => ({ ...current, limits: DEFAULT_LIMITS }))
  }

  /**
   * Reads, changes (validating) and saves the settings, one change at a time:
   * two at once would each save what they read, and one would be lost.
   */
  async #change (update: (current: Settings) => Settings): Promise<Settings> {
    return await this.#changes.add(async () => {
      const settings = update(await this.get())
      await this.#storage.set(SETTINGS_KEY, settings)
      this.#current = settings
      return settings
    })
  }

  /** Replaces the relay list. Every address is checked first; on any error nothing changes. */
  async setRelays (relays: unknown[]): Promise<Settings> {
    const parsed = [...new Set(relays.map((relay, i) => parseRelayAddress(relay, `relay address ${i + 1}`)))]
    if (parsed.length > MAX_RELAYS) {
      throw new ResourceLimitError('relays', MAX_RELAYS, parsed.length)
    }
    return await this.#change(current => ({ ...current, relays: parsed }))
  }

  /** Replaces the user's ICE servers. The whole list is checked first; on any error nothing changes. */
  async setIceServers (iceServers: unknown): Promise<Settings> {
    const parsed = parseIceServers(iceServers)
    return await this.#change(current => ({ ...current, iceServers: parsed }))
  }
}
