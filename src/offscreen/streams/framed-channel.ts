import { LengthPrefixedDecoder, repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { StreamCloseEvent, type Connection, type Stream, type StreamMessageEvent } from '@libp2p/interface'
import { decodeFrame, encodeFrame, type Frame } from '../../common/wire/frames.ts'
import { FRAME_COST_BYTES, FRAME_DECODER_SLACK_BYTES, FRAME_HEADER_BYTES, MAX_CONTROL_FRAMES_PER_SECOND, MIN_STREAM_INACTIVITY_TIMEOUT_MS } from '../../common/constants.ts'
import { ChannelClosedError, ControlFloodError, InactivityTimeoutError, MalformedFrameError, StuckStreamError } from '../../common/errors/index.ts'
import { sendWithBackpressure } from './backpressure.ts'
import type { InboundBudget } from './inbound-budget.ts'

/** Why a channel ended, as shown in the peer's state. */
export interface CloseCause {
  local: boolean
  /** The error's name when it ended badly (`StreamResetError`, `MalformedFrameError`, …). */
  error?: string
  detail?: string
}

type MessageFrame = Extract<Frame, { type: 'message' }>
type ControlFrame = Exclude<Frame, { type: 'message' }>

export interface FramedChannelOptions {
  maxMessageBytes: number
  writeTimeoutMs: number
  /** Silence from the peer for this long ends the stream; PINGs go out at a third of it. */
  inactivityTimeoutMs: number
  budget: InboundBudget
  /** Written bytes that do not drain for this long mark the stream stuck. */
  stuckMs: number
  /** A frame from the peer was refused, or it sent control frames too fast (and the stream was reset). */
  onReject: (kind: 'malformed' | 'oversize' | 'flood') => void
  /** Consecutive message frames, handled in order as one batch. */
  onMessages: (frames: MessageFrame[], channel: FramedChannel) => Promise<void>
  onControl: (frame: ControlFrame, channel: FramedChannel) => Promise<void>
  onClose: (cause: CloseCause, channel: FramedChannel) => void
}

/**
 * One Peerlink stream to a peer: length-prefixed frames in and out. Writes
 * wait for `drain` within a timeout; inbound frames are queued (counted
 * against the shared budget) and handled strictly in order, message frames
 * in batches so one worker call and one ack cover a burst.
 */
export class FramedChannel {
  readonly stream: Stream
  readonly connection: Connection
  readonly peerId: string
  readonly #options: FramedChannelOptions
  readonly #decoder: LengthPrefixedDecoder
  /** Frames waiting to be handled, each with what it holds of the inbound budget. */
  readonly #queue: Array<{ frame: Frame, cost: number }> = []
  readonly #unsubscribe: () => void
  readonly #keepalive: RepeatingTask
  #lastHeard = Date.now()
  #lastUsed = Date.now()
  /**
   * One side let the connection go for being idle (a QUIET frame, either
   * way): its end is nobody's loss, and nobody dials back for it.
   */
  quiet = false
  /** A token bucket for control frames: refilled at the allowed rate, a burst of one second's worth. */
  #controlTokens = MAX_CONTROL_FRAMES_PER_SECOND
  #tokensAt = Date.now()
  #lastDrained = Date.now()
  #draining = false
  #closed = false

  constructor (stream: Stream, connection: Connection, options: FramedChannelOptions) {
    this.stream = stream
    this.connection = connection
    this.peerId = connection.remotePeer.toString()
    this.#options = options
    const maxFrame = options.maxMessageBytes + FRAME_HEADER_BYTES
    // The buffer holds a partial frame plus the next chunk from the transport, so it needs room for both.
    this.#decoder = new LengthPrefixedDecoder({ maxDataLength: maxFrame, maxBufferSize: 2 * maxFrame + FRAME_DECODER_SLACK_BYTES })
    stream.addEventListener('message', this.#onMessage)
    stream.addEventListener('close', this.#onClose)
    stream.addEventListener('drain', () => { this.#lastDrained = Date.now() })
    this.#unsubscribe = options.budget.onChange(pressured => { this.#applyPressure(pressured) })
    this.#applyPressure(options.budget.pressured)
    this.#keepalive = repeatingTask(() => { this.#checkActivity() }, options.inactivityTimeoutMs / 3)
    this.#keepalive.start()
    // A stream reset while it waited to be taken (its route being read) fired `close` before anyone
    // listened: it is ended now, after the caller has adopted the channel, or it would stay "connected".
    const { status } = stream
    if (status === 'closed' || status === 'aborted' || status === 'reset') {
      const error = status === 'closed' ? undefined : new ChannelClosedError(this.peerId, 'not-open', `stream to ${this.peerId} was ${status} before it was taken`)
      queueMicrotask(() => { if (!this.#closed) this.#onClose(new StreamCloseEvent(false, error)) })
    }
  }

  /**
   * The peer's inactivity timeout, from its HELLO: keepalives go at a third
   * of the smaller of the two. The peer's is held to the smallest the options
   * page allows: a HELLO asking for 1 ms would have us PING without pause.
   */
  peerInactivityTimeout (ms: number): void {
    if (ms > 0) this.#keepalive.setInterval(Math.min(Math.max(ms, MIN_STREAM_INACTIVITY_TIMEOUT_MS), this.#options.inactivityTimeoutMs) / 3)
  }

  #checkActivity (): void {
    const silentMs = Date.now() - this.#lastHeard
    if (silentMs > this.#options.inactivityTimeoutMs) {
      this.abort(new InactivityTimeoutError(this.peerId, silentMs, this.#options.inactivityTimeoutMs))
    } else if (this.open) {
      this.write({ type: 'ping' }).catch(() => {})
    }
  }

  /** When the conversation last used the stream (any frame but a keepalive, either way). */
  get lastUsed (): number {
    return this.#lastUsed
  }

  /** Bytes written and not yet taken by the transport. */
  get bufferedBytes (): number {
    return this.stream.writeBufferLength
  }

  /** Resets the stream if its written bytes have not drained for `stuckMs`; answers whether it did. */
  resetIfStuck (now: number): boolean {
    if (this.stream.writeBufferLength === 0) {
      this.#lastDrained = now
      return false
    }
    if (now - this.#lastDrained <= this.#options.stuckMs) return false
    this.abort(new StuckStreamError(this.peerId, this.stream.writeBufferLength, now - this.#lastDrained, this.#options.stuckMs))
    return true
  }

  get open (): boolean {
    return !this.#closed && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** Writes one frame; waits for `drain` when the stream's buffer is full, bounded by the write timeout. */
  async write (frame: Frame): Promise<void> {
    if (!this.open) {
      throw new ChannelClosedError(this.peerId, 'not-open', `stream to ${this.peerId} is ${this.stream.status}`)
    }
    if (frame.type !== 'ping') this.#lastUsed = Date.now()
    await sendWithBackpressure(this.stream, this.peerId, encodeFrame(frame), this.#options.writeTimeoutMs)
  }

  /** Ends the stream cleanly (FIN), so the peer sees a close rather than a reset. */
  async close (): Promise<void> {
    if (this.#closed) return
    await this.stream.close({ signal: AbortSignal.timeout(this.#options.writeTimeoutMs) })
      .catch((err: Error) => { this.stream.abort(err) })
  }

  /** Resets the stream with a reason; the peer sees a `StreamResetError`. */
  abort (err: Error): void {
    this.stream.abort(err)
  }

  readonly #onMessage = (event: StreamMessageEvent): void => {
    this.#lastHeard = Date.now()
    try {
      for (const data of this.#decoder.decode(event.data)) {
        const frame = decodeFrame(data)
        if (frame.type !== 'ping') this.#lastUsed = this.#lastHeard
        if (frame.type !== 'message' && !this.#takeControlToken()) {
          this.#options.onReject('flood')
          this.stream.abort(new ControlFloodError(this.peerId, MAX_CONTROL_FRAMES_PER_SECOND))
          return
        }
        // Every frame costs a worker call or a write: it counts against the budget, payload or not.
        const cost = FRAME_COST_BYTES + (frame.type === 'message' ? frame.body.byteLength : 0)
        this.#options.budget.reserve(cost)
        this.#queue.push({ frame, cost })
      }
    } catch (err) {
      // @libp2p/utils' LengthPrefixedDecoder reports a length over the maximum this way.
      const oversize = (err as Error).name === 'InvalidMessageLengthError'
      this.#options.onReject(oversize ? 'oversize' : 'malformed')
      this.stream.abort(err instanceof MalformedFrameError ? err : new MalformedFrameError(`${oversize ? 'frame too large' : 'bad frame'}: ${(err as Error).message}`))
      return
    }
    void this.#drain()
  }

  async #drain (): Promise<void> {
    if (this.#draining) return
    this.#draining = true
    try {
      while (this.#queue.length > 0) {
        const first = this.#queue[0]!
        if (first.frame.type !== 'message') {
          this.#queue.shift()
          try {
            await this.#options.onControl(first.frame, this)
          } finally {
            this.#options.budget.release(first.cost)
          }
          continue
        }
        let count = 0
        while (this.#queue[count]?.frame.type === 'message') count++
        const batch = this.#queue.splice(0, count)
        try {
          await this.#options.onMessages(batch.map(entry => entry.frame as MessageFrame), this)
        } finally {
          for (const entry of batch) this.#options.budget.release(entry.cost)
        }
      }
    } catch (err) {
      this.stream.abort(err as Error)
    } finally {
      this.#draining = false
    }
  }

  #takeControlToken (): boolean {
    const now = Date.now()
    this.#controlTokens = Math.min(MAX_CONTROL_FRAMES_PER_SECOND, this.#controlTokens + (now - this.#tokensAt) * MAX_CONTROL_FRAMES_PER_SECOND / 1000)
    this.#tokensAt = now
    if (this.#controlTokens < 1) return false
    this.#controlTokens -= 1
    return true
  }

  #applyPressure (pressured: boolean): void {
    if (this.stream.readStatus === 'closed' || this.stream.readStatus === 'closing') return
    if (pressured) this.stream.pause()
    else this.stream.resume()
  }

  readonly #onClose = (event: StreamCloseEvent): void => {
    this.#closed = true
    this.#unsubscribe()
    this.#keepalive.stop()
    // What was queued and never handled gives its share of the budget back.
    for (const entry of this.#queue.splice(0)) this.#options.budget.release(entry.cost)
    const cause: CloseCause = { local: event.local ?? false }
    if (event.error != null) {
      cause.error = event.error.name
      cause.detail = event.error.message
    }
    this.#options.onClose(cause, this)
  }
}
