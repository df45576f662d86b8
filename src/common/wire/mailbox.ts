import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MailboxRequest {
  type: MailboxRequest.Type
  tokenHashes: Uint8Array<ArrayBuffer>[]
  recipient: string
  token: Uint8Array<ArrayBuffer>
  envelope: Uint8Array<ArrayBuffer>
  after: number
  limit: number
  ids: number[]
}

export namespace MailboxRequest {
  export enum Type {
    REGISTER = 'REGISTER',
    DEPOSIT = 'DEPOSIT',
    FETCH = 'FETCH',
    DELETE = 'DELETE'
  }

  enum __TypeValues {
    REGISTER = 0,
    DEPOSIT = 1,
    FETCH = 2,
    DELETE = 3
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<MailboxRequest>

  export const codec = (): Codec<MailboxRequest> => {
    if (_codec == null) {
      _codec = message<MailboxRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          MailboxRequest.Type.codec().encode(obj.type, w)
        }

        if (obj.tokenHashes != null && obj.tokenHashes.length > 0) {
          for (const value of obj.tokenHashes) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.recipient != null && obj.recipient !== '')) {
          w.uint32(26)
          w.string(obj.recipient)
        }

        if ((obj.token != null && obj.token.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.token)
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.envelope)
        }

        if ((obj.after != null && obj.after !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.after)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(56)
          w.uint32(obj.limit)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(64)
            w.uint64Number(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.REGISTER,
          tokenHashes: [],
          recipient: '',
          token: uint8ArrayAlloc(0),
          envelope: uint8ArrayAlloc(0),
          after: 0,
          limit: 0,
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = MailboxRequest.Type.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.tokenHashes != null && obj.tokenHashes.length === opts.limits.tokenHashes) {
                throw new MaxLengthError('Decode error - repeated field "tokenHashes" had too many elements')
              }

              if (obj.tokenHashes.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "tokenHashes" had too many elements')
              }

              obj.tokenHashes.push(reader.bytes())
              break
            }
            case 3: {
              obj.recipient = reader.string()
              break
            }
            case 4: {
              obj.token = reader.bytes()
              break
            }
            case 5: {
              obj.envelope = reader.bytes()
              break
            }
            case 6: {
              obj.after = reader.uint64Number()
              break
            }
            case 7: {
              obj.limit = reader.uint32()
              break
            }
            case 8: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.uint64Number())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          tokenHashes: 4096,
          ids: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: MailboxRequest.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.tokenHashes != null && obj.tokenHashes === opts.limits.tokenHashes) {
                throw new MaxLengthError('Streaming decode error - repeated field "tokenHashes" had too many elements')
              }

              if (obj.tokenHashes === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "tokenHashes" had too many elements')
              }

              yield {
                field: `${prefix}.tokenHashes[]`,
                index: obj.tokenHashes,
                value: reader.bytes()
              }

              obj.tokenHashes++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.token`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.envelope`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.after`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.uint64Number()
              }

              obj.ids++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MailboxRequestTypeFieldEvent {
    field: '$.type'
    value: MailboxRequest.Type
  }

  export interface MailboxRequestTokenHashesFieldEvent {
    field: '$.tokenHashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestRecipientFieldEvent {
    field: '$.recipient'
    value: string
  }

  export interface MailboxRequestTokenFieldEvent {
    field: '$.token'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestAfterFieldEvent {
    field: '$.after'
    value: number
  }

  export interface MailboxRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface MailboxRequestIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<MailboxRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): MailboxRequest {
    return decodeMessage(buf, MailboxRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): Generator<MailboxRequestTypeFieldEvent | MailboxRequestTokenHashesFieldEvent | MailboxRequestRecipientFieldEvent | MailboxRequestTokenFieldEvent | MailboxRequestEnvelopeFieldEvent | MailboxRequestAfterFieldEvent | MailboxRequestLimitFieldEvent | MailboxRequestIdsFieldEvent> {
    return streamMessage(buf, MailboxRequest.codec(), opts)
  }
}

export interface MailboxResponse {
  status: MailboxResponse.Status
  limit: number
  value: number
  id: number
  envelopes: StoredEnvelope[]
  more: boolean
  waitingEnvelopes: number
  waitingBytes: number
  maxEnvelopeBytes: number
}

export namespace MailboxResponse {
  export enum Status {
    OK = 'OK',
    NO_MAILBOX = 'NO_MAILBOX',
    NOT_ALLOWED = 'NOT_ALLOWED',
    ENVELOPE_TOO_LARGE = 'ENVELOPE_TOO_LARGE',
    MAILBOX_FULL_BYTES = 'MAILBOX_FULL_BYTES',
    MAILBOX_FULL_ENVELOPES = 'MAILBOX_FULL_ENVELOPES',
    RATE_LIMITED = 'RATE_LIMITED',
    RELAY_FULL = 'RELAY_FULL',
    BAD_REQUEST = 'BAD_REQUEST'
  }

  enum __StatusValues {
    OK = 0,
    NO_MAILBOX = 1,
    NOT_ALLOWED = 2,
    ENVELOPE_TOO_LARGE = 3,
    MAILBOX_FULL_BYTES = 4,
    MAILBOX_FULL_ENVELOPES = 5,
    RATE_LIMITED = 6,
    RELAY_FULL = 7,
    BAD_REQUEST = 8
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<MailboxResponse>

  export const codec = (): Codec<MailboxResponse> => {
    if (_codec == null) {
      _codec = message<MailboxResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          MailboxResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.limit)
        }

        if ((obj.value != null && obj.value !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.value)
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.id)
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(42)
            StoredEnvelope.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(48)
          w.bool(obj.more)
        }

        if ((obj.waitingEnvelopes != null && obj.waitingEnvelopes !== 0)) {
          w.uint32(56)
          w.uint32(obj.waitingEnvelopes)
        }

        if ((obj.waitingBytes != null && obj.waitingBytes !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.waitingBytes)
        }

        if ((obj.maxEnvelopeBytes != null && obj.maxEnvelopeBytes !== 0)) {
          w.uint32(72)
          w.uint32(obj.maxEnvelopeBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          limit: 0,
          value: 0,
          id: 0,
          envelopes: [],
          more: false,
          waitingEnvelopes: 0,
          waitingBytes: 0,
          maxEnvelopeBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = MailboxResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.limit = reader.uint64Number()
              break
            }
            case 3: {
              obj.value = reader.uint64Number()
              break
            }
            case 4: {
              obj.id = reader.uint64Number()
              break
            }
            case 5: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(StoredEnvelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelopes$
              }))
              break
            }
            case 6: {
              obj.more = reader.bool()
              break
            }
            case 7: {
              obj.waitingEnvelopes = reader.uint32()
              break
            }
            case 8: {
              obj.waitingBytes = reader.uint64Number()
              break
            }
            case 9: {
              obj.maxEnvelopeBytes = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: MailboxResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.value`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              for (const evt of StoredEnvelope.codec().stream(reader, reader.uint32(), `${prefix}.envelopes[]`, {
                limits: opts.limits?.envelopes$
              })) {
                yield {
                  ...evt,
                  index: obj.envelopes
                }
              }

              obj.envelopes++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.waitingEnvelopes`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.waitingBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.maxEnvelopeBytes`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MailboxResponseStatusFieldEvent {
    field: '$.status'
    value: MailboxResponse.Status
  }

  export interface MailboxResponseLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface MailboxResponseValueFieldEvent {
    field: '$.value'
    value: number
  }

  export interface MailboxResponseIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface MailboxResponseEnvelopesIdFieldEvent {
    field: '$.envelopes[].id'
    value: number
    index: number
  }

  export interface MailboxResponseEnvelopesDepositedAtFieldEvent {
    field: '$.envelopes[].depositedAt'
    value: number
    index: number
  }

  export interface MailboxResponseEnvelopesEnvelopeFieldEvent {
    field: '$.envelopes[].envelope'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export interface MailboxResponseWaitingEnvelopesFieldEvent {
    field: '$.waitingEnvelopes'
    value: number
  }

  export interface MailboxResponseWaitingBytesFieldEvent {
    field: '$.waitingBytes'
    value: number
  }

  export interface MailboxResponseMaxEnvelopeBytesFieldEvent {
    field: '$.maxEnvelopeBytes'
    value: number
  }

  export function encode (obj: Partial<MailboxResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxResponse>): MailboxResponse {
    return decodeMessage(buf, MailboxResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxResponse>): Generator<MailboxResponseStatusFieldEvent | MailboxResponseLimitFieldEvent | MailboxResponseValueFieldEvent | MailboxResponseIdFieldEvent | MailboxResponseEnvelopesIdFieldEvent | MailboxResponseEnvelopesDepositedAtFieldEvent | MailboxResponseEnvelopesEnvelopeFieldEvent | MailboxResponseMoreFieldEvent | MailboxResponseWaitingEnvelopesFieldEvent | MailboxResponseWaitingBytesFieldEvent | MailboxResponseMaxEnvelopeBytesFieldEvent> {
    return streamMessage(buf, MailboxResponse.codec(), opts)
  }
}

export interface StoredEnvelope {
  id: number
  depositedAt: number
  envelope: Uint8Array<ArrayBuffer>
}

export namespace StoredEnvelope {
  let _codec: Codec<StoredEnvelope>

  export const codec = (): Codec<StoredEnvelope> => {
    if (_codec == null) {
      _codec = message<StoredEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.id)
        }

        if ((obj.depositedAt != null && obj.depositedAt !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.depositedAt)
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.envelope)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          depositedAt: 0,
          envelope: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint64Number()
              break
            }
            case 2: {
              obj.depositedAt = reader.uint64Number()
              break
            }
            case 3: {
              obj.envelope = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.depositedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.envelope`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoredEnvelopeIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface StoredEnvelopeDepositedAtFieldEvent {
    field: '$.depositedAt'
    value: number
  }

  export interface StoredEnvelopeEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoredEnvelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredEnvelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredEnvelope>): StoredEnvelope {
    return decodeMessage(buf, StoredEnvelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredEnvelope>): Generator<StoredEnvelopeIdFieldEvent | StoredEnvelopeDepositedAtFieldEvent | StoredEnvelopeEnvelopeFieldEvent> {
    return streamMessage(buf, StoredEnvelope.codec(), opts)
  }
}

export interface MailNotice {
  waitingEnvelopes: number
}

export namespace MailNotice {
  let _codec: Codec<MailNotice>

  export const codec = (): Codec<MailNotice> => {
    if (_codec == null) {
      _codec = message<MailNotice>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.waitingEnvelopes != null && obj.waitingEnvelopes !== 0)) {
          w.uint32(8)
          w.uint32(obj.waitingEnvelopes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          waitingEnvelopes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.waitingEnvelopes = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.waitingEnvelopes`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MailNoticeWaitingEnvelopesFieldEvent {
    field: '$.waitingEnvelopes'
    value: number
  }

  export function encode (obj: Partial<MailNotice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailNotice.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailNotice>): MailNotice {
    return decodeMessage(buf, MailNotice.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailNotice>): Generator<MailNoticeWaitingEnvelopesFieldEvent> {
    return streamMessage(buf, MailNotice.codec(), opts)
  }
}
