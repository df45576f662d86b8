/**
 * Profile: who this browser is and what its user chose (the identity key, the
 * settings) and the storage they live in, including which message database
 * belongs to which identity. The other rooms build on it; it builds on none.
 */
export { exportKey, OwnIdentity, parseExportedKey } from './identity.ts'
export { type KeyValueStore, makeMemoryStorage, makeSlowStorage } from './key-value-store.ts'
export { DEFAULT_SETTINGS, type Settings, SettingsStore } from './settings.ts'
export { storeNameFor } from './store-name.ts'
