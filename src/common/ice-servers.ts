/**
 * The ICE servers a user may set: STUN and TURN URLs parsed properly
 * (RFC 7064, RFC 7065), TURN credentials required, every length bounded.
 * One valibot schema gives the validation and the field a `ValidationError`
 * names (`iceServers.1.urls.0`), as `limits.ts` does for the limits.
 */
import * as v from 'valibot'
import { MAX_ICE_CREDENTIAL_CHARS, MAX_ICE_SERVER_URLS, MAX_ICE_SERVERS, MAX_ICE_URL_CHARS } from './constants.ts'
import { ResourceLimitError, ValidationError } from './errors/index.ts'

export type IceScheme = 'stun' | 'stuns' | 'turn' | 'turns'

/** One ICE server URL, taken apart. */
export interface IceUrl {
  scheme: IceScheme
  /** A host name, an IPv4 address, or an IPv6 address in brackets. */
  host: string
  port?: number
  /** TURN only: how the browser talks to the TURN server. */
  transport?: 'udp' | 'tcp'
}

/** An ICE server as stored and handed to WebRTC: `urls` always a list, credentials only for TURN. */
export interface IceServer {
  urls: string[]
  username?: string
  credential?: string
}

const SCHEMES = new Set<string>(['stun', 'stuns', 'turn', 'turns'])
const HOST_NAME = /^(?=.{1,253}$)[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?(?:\.[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?)*\.?$/i
const IPV4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/** Takes an ICE server URL apart; answers the reason in words when it is not one. */
export function parseIceUrl (url: string): IceUrl | { problem: string } {
  const problem = (text: string): { problem: string } => ({ problem: text })
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  if (scheme == null) return problem('expected a URL such as stun:stun.example.org:3478 or turn:turn.example.org:3478?transport=udp')
  if (!SCHEMES.has(scheme)) return problem(`"${scheme}:" is not an ICE server URL: use stun:, stuns:, turn: or turns:`)
  let rest = url.slice(scheme.length + 1)
  if (rest.startsWith('//')) return problem(`no "//" after "${scheme}:": write ${scheme}:host:port`)
  let query: string | undefined
  const q = rest.indexOf('?')
  if (q >= 0) {
    query = rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  if (rest.includes('/')) return problem('an ICE server URL has no path: only a host and a port')
  if (rest.includes('@')) return problem('put the user name in the username field, not in the URL')
  const split = splitHostPort(rest)
  if ('problem' in split) return split
  const { host, port } = split
  const parsed: IceUrl = { scheme: scheme as IceScheme, host }
  if (port != null) parsed.port = port
  if (query != null) {
    if (scheme === 'stun' || scheme === 'stuns') return problem('a STUN URL takes no "?…" part')
    const transport = /^transport=(udp|tcp)$/i.exec(query)?.[1]?.toLowerCase()
    if (transport == null) return problem('the only option a TURN URL takes is ?transport=udp or ?transport=tcp')
    parsed.transport = transport as 'udp' | 'tcp'
  }
  return parsed
}

function splitHostPort (text: string): { host: string, port?: number } | { problem: string } {
  let host: string
  let portText: string | undefined
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) return { problem: 'an IPv6 address needs its closing "]"' }
    host = text.slice(0, close + 1)
    const after = text.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) return { problem: `unexpected "${after}" after the address` }
    if (after !== '') portText = after.slice(1)
    if (!isIPv6(host.slice(1, -1))) return { problem: `"${host}" is not an IPv6 address` }
  } else {
    const parts = text.split(':')
    if (parts.length > 2) return { problem: 'an IPv6 address goes in brackets, as in turn:[2001:db8::1]:3478' }
    host = parts[0]!
    portText = parts[1]
    if (host === '') return { problem: 'the host is missing' }
    if (/^[\d.]+$/.test(host) ? !isIPv4(host) : !HOST_NAME.test(host)) return { problem: `"${host}" is not a host name or an IP address` }
  }
  if (portText == null) return { host }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65_535) {
    return { problem: `the port must be a number from 1 to 65535, not "${portText}"` }
  }
  return { host, port: Number(portText) }
}

function isIPv4 (text: string): boolean {
  const parts = text.split('.')
  return parts.length === 4 && parts.every(p => IPV4_PART.test(p))
}

function isIPv6 (text: string): boolean {
  if (!/^[\da-f:.]+$/i.test(text) || !text.includes(':')) return false
  // The URL parser knows every shorthand of IPv6; the characters were checked above.
  try {
    return new URL(`http://[${text}]/`).hostname !== ''
  } catch {
    return false
  }
}

const isTurn = (url: string): boolean => /^turns?:/i.test(url)

/** Empty text in an optional field counts as not given (a form sends its blank fields). */
const optionalText = v.pipe(
  v.optional(v.string('expected text')),
  v.transform(text => text === '' ? undefined : text),
  v.check(text => text == null || text.length <= MAX_ICE_CREDENTIAL_CHARS, `at most ${MAX_ICE_CREDENTIAL_CHARS} characters`)
)

const IceUrlSchema = v.pipe(
  v.string('expected a URL'),
  v.trim(),
  v.maxLength(MAX_ICE_URL_CHARS, `at most ${MAX_ICE_URL_CHARS} characters`),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseIceUrl(dataset.value)
    if ('problem' in parsed) {
      addIssue({ message: parsed.problem })
      return NEVER
    }
    // URL schemes are case-insensitive; WebRTC is happiest with them in lower case.
    return `${parsed.scheme}${dataset.value.slice(parsed.scheme.length)}`
  })
)

/** What an ICE server entry must look like, field by field. */
const IceServerSchema = v.pipe(
  v.object({
    urls: v.pipe(
      // One URL is a list of one, so a bad URL is always named by its place (urls.0).
      v.union([v.pipe(v.string(), v.transform(url => [url])), v.array(v.unknown())], 'expected a URL or a list of URLs'),
      v.minLength(1, 'at least one URL'),
      v.maxLength(MAX_ICE_SERVER_URLS, `at most ${MAX_ICE_SERVER_URLS} URLs per server`),
      v.array(IceUrlSchema)
    ),
    username: optionalText,
    credential: optionalText
  }),
  v.forward(v.check(s => !s.urls.some(isTurn) || s.username != null, 'a TURN server needs a username'), ['username']),
  v.forward(v.check(s => !s.urls.some(isTurn) || s.credential != null, 'a TURN server needs a credential'), ['credential']),
  v.forward(v.check(s => s.urls.some(isTurn) || s.username == null, 'only a TURN server takes a username'), ['username']),
  v.forward(v.check(s => s.urls.some(isTurn) || s.credential == null, 'only a TURN server takes a credential'), ['credential'])
)

/** The shape of one entry as callers send it (checked in full by `parseIceServers`). */
export const IceServerInputSchema = v.object({
  urls: v.union([v.string(), v.array(v.string())], 'expected a URL or a list of URLs'),
  username: v.optional(v.string()),
  credential: v.optional(v.string())
})
export type IceServerInput = v.InferInput<typeof IceServerInputSchema>

/**
 * Checks a list of ICE servers and answers it normalised; throws
 * `ResourceLimitError` ('ice-servers') over the cap, or `ValidationError`
 * naming the first bad field (`iceServers.1.urls.0`).
 */
export function parseIceServers (input: unknown): IceServer[] {
  if (!Array.isArray(input)) throw new ValidationError('iceServers', 'expected a list of ICE servers')
  if (input.length > MAX_ICE_SERVERS) throw new ResourceLimitError('ice-servers', MAX_ICE_SERVERS, input.length)
  const parsed = v.safeParse(v.array(IceServerSchema), input)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = issue.path?.map(p => String(p.key)) ?? []
    throw new ValidationError(['iceServers', ...path].join('.'), issue.message)
  }
  return parsed.output.map(({ urls, username, credential }) => ({
    urls,
    ...(username == null ? {} : { username }),
    ...(credential == null ? {} : { credential })
  }))
}
