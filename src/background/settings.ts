import { MAX_RELAYS } from '../common/constants.ts'
import { ResourceLimitError } from '../common/errors/index.ts'
import { parseRelayAddress } from '../common/validators.ts'
import type { KeyValueStore } from './key-value-store.ts'

const SETTINGS_KEY = 'settings'

export interface Settings {
  relays: string[]
  /** STUN/TURN servers for WebRTC; none by default, so no traffic goes to public STUN. */
  iceServers: RTCIceServer[]
}

export const DEFAULT_SETTINGS: Settings = { relays: [], iceServers: [] }

/** The user's settings, validated on every change and persisted. */
export class SettingsStore {
  readonly #storage: KeyValueStore

  constructor (storage: KeyValueStore) {
    this.#storage = storage
  }

  async get (): Promise<Settings> {
    return { ...DEFAULT_SETTINGS, ...await this.#storage.get<Partial<Settings>>(SETTINGS_KEY) }
  }

  /** Replaces the relay list. Every address is checked first; on any error nothing changes. */
  async setRelays (relays: unknown[]): Promise<Settings> {
    const parsed = [...new Set(relays.map((relay, i) => parseRelayAddress(relay, `relay address ${i + 1}`)))]
    if (parsed.length > MAX_RELAYS) {
      throw new ResourceLimitError('relays', MAX_RELAYS, parsed.length)
    }
    const settings = { ...await this.get(), relays: parsed }
    await this.#storage.set(SETTINGS_KEY, settings)
    return settings
  }
}
