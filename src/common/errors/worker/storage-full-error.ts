import { PeerlinkError } from '../base/peerlink-error.ts'

/**
 * The browser refused to store more (the disk or the extension's quota is
 * full). Nothing was acknowledged: the sender is told to pause, keeps its
 * messages, and is asked again later.
 */
export class StorageFullError extends PeerlinkError<{ peerId: string, detail: string }> {
  static override readonly name = 'StorageFullError'

  constructor (peerId: string, detail: string) {
    super(`Could not store messages from ${peerId}: storage is full (${detail})`, { peerId, detail })
  }
}
