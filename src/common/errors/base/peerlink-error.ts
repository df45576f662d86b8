/** Structured data an error carries across the link and the page API. */
export type ErrorData = Record<string, string | number | boolean | null>

/** Base of every error a Peerlink caller can meet: a stable `name` and structured `data`. */
export class PeerlinkError<D extends ErrorData = ErrorData> extends Error {
  static override readonly name: string = 'PeerlinkError'
  readonly data: D

  constructor (message: string, data: D) {
    super(message)
    this.name = new.target.name
    this.data = data
  }
}
