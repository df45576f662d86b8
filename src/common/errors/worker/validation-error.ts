import { PeerlinkError } from '../base/peerlink-error.ts'

/** Input a caller gave was rejected; nothing was changed. */
export class ValidationError extends PeerlinkError<{ field: string, reason: string }> {
  static override readonly name = 'ValidationError'

  constructor (field: string, reason: string) {
    super(`Invalid ${field}: ${reason}`, { field, reason })
  }
}
