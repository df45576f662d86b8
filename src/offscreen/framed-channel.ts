import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Connection, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { decodeFrame, encodeFrame, MalformedFrameError, type Frame } from '../common/frames.ts'
import { FRAME_HEADER_BYTES } from '../common/constants.ts'

/** Why a channel ended, as shown in the peer's state. */
export interface CloseCause {
  local: boolean
  /** The error's name when it ended badly (`StreamResetError`, `MalformedFrameError`, …). */
  error?: string
  detail?: string
}

export interface FramedChannelOptions {
  maxMessageBytes: number
  writeTimeoutMs: number
  /** Inbound bytes waiting for the handler before the stream is paused. */
  maxInboundPendingBytes: number
  /** Frames are handled one at a time, in order. */
  onFrame: (frame: Frame, channel: FramedChannel) => Promise<void>
  onClose: (cause: CloseCause, channel: FramedChannel) => void
}

/** Thrown by `write` when the stream cannot take a frame. */
export class ChannelClosedError extends Error {
  static override readonly name = 'ChannelClosedError'
  override readonly name = 'ChannelClosedError'
}

/**
 * One Peerlink stream to a peer: length-prefixed frames in and out, writes
 * bounded by a timeout and byte-counted backpressure, inbound frames handled
 * strictly in order and paused when the handler falls behind.
 */
export class FramedChannel {
  readonly stream: Stream
  readonly connection: Connection
  readonly peerId: string
  readonly #options: FramedChannelOptions
  readonly #decoder: LengthPrefixedDecoder
  #handling: Promise<void> = Promise.resolve()
  #pendingInboundBytes = 0
  #closed = false

  constructor (stream: Stream, connection: Connection, options: FramedChannelOptions) {
    this.stream = stream
    this.connection = connection
    this.peerId = connection.remotePeer.toString()
    this.#options = options
    const maxFrame = options.maxMessageBytes + FRAME_HEADER_BYTES
    this.#decoder = new LengthPrefixedDecoder({ maxDataLength: maxFrame, maxBufferSize: maxFrame + 16 })
    stream.addEventListener('message', this.#onMessage)
    stream.addEventListener('close', this.#onClose)
  }

  get open (): boolean {
    return !this.#closed && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** Writes one frame; waits for `drain` when the stream's buffer is full, bounded by the write timeout. */
  async write (frame: Frame): Promise<void> {
    if (!this.open) {
      throw new ChannelClosedError(`stream to ${this.peerId} is ${this.stream.status}`)
    }
    if (this.stream.send(encodeFrame(frame))) return
    // Not `onDrain()`: it resolves only once per stream. Wait for each `drain`.
    const signal = AbortSignal.timeout(this.#options.writeTimeoutMs)
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        this.stream.removeEventListener('drain', onDrain)
        this.stream.removeEventListener('close', onClose)
        signal.removeEventListener('abort', onAbort)
        if (err == null) resolve()
        else reject(err)
      }
      const onDrain = (): void => { done() }
      const onClose = (): void => { done(new ChannelClosedError(`stream to ${this.peerId} closed while writing`)) }
      const onAbort = (): void => { done(new ChannelClosedError(`write to ${this.peerId} timed out after ${this.#options.writeTimeoutMs} ms`)) }
      this.stream.addEventListener('drain', onDrain)
      this.stream.addEventListener('close', onClose)
      signal.addEventListener('abort', onAbort)
    })
  }

  /** Ends the stream cleanly (FIN), so the peer sees a close rather than a reset. */
  async close (): Promise<void> {
    if (this.#closed) return
    await this.stream.close({ signal: AbortSignal.timeout(this.#options.writeTimeoutMs) })
      .catch((err: Error) => { this.stream.abort(err) })
  }

  /** Resets the stream with a reason. */
  abort (err: Error): void {
    this.stream.abort(err)
  }

  readonly #onMessage = (event: StreamMessageEvent): void => {
    let frames: Frame[]
    try {
      frames = [...this.#decoder.decode(event.data)].map(decodeFrame)
    } catch (err) {
      const reason = err instanceof MalformedFrameError ? err : new MalformedFrameError((err as Error).message)
      this.stream.abort(reason)
      return
    }
    for (const frame of frames) {
      const bytes = frame.type === 'message' ? frame.body.byteLength : 0
      this.#pendingInboundBytes += bytes
      if (this.#pendingInboundBytes > this.#options.maxInboundPendingBytes) {
        // Stop reading so backpressure reaches the sender instead of memory.
        this.stream.pause()
      }
      this.#handling = this.#handling
        .then(async () => { await this.#options.onFrame(frame, this) })
        .catch((err: Error) => { this.stream.abort(err) })
        .finally(() => {
          this.#pendingInboundBytes -= bytes
          if (this.#pendingInboundBytes <= this.#options.maxInboundPendingBytes / 2 && this.stream.readStatus === 'paused') {
            this.stream.resume()
          }
        })
    }
  }

  readonly #onClose = (event: StreamCloseEvent): void => {
    this.#closed = true
    const cause: CloseCause = { local: event.local ?? false }
    if (event.error != null) {
      cause.error = event.error.name
      cause.detail = event.error.message
    }
    this.#options.onClose(cause, this)
  }
}
