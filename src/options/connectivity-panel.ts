import type { PeerlinkClient } from '../api/client.ts'
import type { IceServer, IceServerView, Status } from '../api/protocol.ts'
import { ICE_CHECK_TIMEOUT_MS, MAX_ICE_SERVERS } from '../common/constants.ts'
import { ResourceLimitError, ValidationError } from '../common/errors/index.ts'
import { errorText, h } from '../ui/dom.ts'
import { shortId } from '../common/short-id.ts'
import { t } from '../ui/i18n.ts'
import { iceVerdict, type IceVerdict } from '../ui/ice-verdict.ts'
import { gatherCandidateTypes } from './ice-check.ts'

/**
 * Public STUN servers a user may add on purpose; none is used by default.
 * Each names the company that runs it, since it sees this browser's address.
 */
const PRESETS = [
  { id: 'google', urls: ['stun:stun.l.google.com:19302'], label: 'icePresetGoogle' },
  { id: 'cloudflare', urls: ['stun:stun.cloudflare.com:3478'], label: 'icePresetCloudflare' }
]

type Part = 'urls' | 'username' | 'credential'

/** One ICE server being edited: its URLs (one per line), username and credential, each with its error. */
interface Row {
  root: HTMLFieldSetElement
  legend: HTMLLegendElement
  remove: HTMLButtonElement
  inputs: Record<Part, HTMLTextAreaElement | HTMLInputElement>
  errors: Record<Part, HTMLElement>
}

/**
 * The Connectivity section: the ICE servers in use and where they come from,
 * the user's own servers (edited, validated by Peerlink, errors beside the
 * field), opt-in public presets, and a Check of what this browser can reach.
 */
export function mountConnectivityPanel (root: HTMLElement, client: PeerlinkClient, signal: AbortSignal): { render: (status: Status) => void } {
  let rows: Row[] = []
  let nextId = 0
  let inUse: IceServerView[] = []

  const inUseList = h('ul', { className: 'ice-in-use', 'aria-label': t('iceInUseList') })
  const rowsBox = h('div', { className: 'ice-rows' })
  const none = h('p', { className: 'muted' }, t('iceNoneOfYours'))
  const addRow = h('button', { type: 'button' }, t('iceAddServer'))
  const save = h('button', { type: 'submit', className: 'primary' }, t('iceSave'))
  const saved = h('p', { className: 'muted', role: 'status' })
  const formError = h('p', { className: 'error', role: 'alert' })
  const form = h('form', { 'aria-labelledby': 'ice-yours-heading', novalidate: true },
    rowsBox, none, h('div', { className: 'row' }, addRow, save, saved), formError)

  const preset = h('select', { id: 'ice-preset' },
    h('option', { value: '' }, t('icePresetChoose')),
    ...PRESETS.map(p => h('option', { value: p.id }, t(p.label))))
  const addPreset = h('button', { type: 'button' }, t('icePresetAdd'))

  const check = h('button', { type: 'button' }, t('iceCheck'))
  const checkResult = h('p', { id: 'ice-check-result', role: 'status' })
  const checkDetail = h('p', { className: 'muted' })

  const showRows = (): void => {
    rows.forEach((row, i) => {
      row.legend.textContent = t('iceServerLegend', String(i + 1))
      row.remove.setAttribute('aria-label', t('iceRemoveServer', String(i + 1)))
    })
    rowsBox.replaceChildren(...rows.map(r => r.root))
    none.hidden = rows.length > 0
    addRow.disabled = rows.length >= MAX_ICE_SERVERS
  }

  const makeRow = (server?: IceServer): Row => {
    const id = `ice-${nextId++}`
    const field = (part: Part, input: HTMLTextAreaElement | HTMLInputElement, label: string, help?: string): HTMLElement[] => {
      input.id = `${id}-${part}`
      input.setAttribute('aria-describedby', `${id}-${part}-error${help == null ? '' : ` ${id}-${part}-help`}`)
      return [
        h('label', { for: input.id }, label),
        input,
        help == null ? null : h('p', { className: 'muted help', id: `${id}-${part}-help` }, help),
        errors[part]
      ].filter(e => e != null)
    }
    const errors = {
      urls: h('p', { className: 'error', id: `${id}-urls-error` }),
      username: h('p', { className: 'error', id: `${id}-username-error` }),
      credential: h('p', { className: 'error', id: `${id}-credential-error` })
    }
    const inputs = {
      urls: h('textarea', { rows: 2, spellcheck: 'false', autocomplete: 'off', placeholder: 'stun:stun.example.org:3478' }),
      username: h('input', { autocomplete: 'off', spellcheck: 'false' }),
      // A TURN credential is a password: hidden, and not offered to the browser's password manager.
      credential: h('input', { type: 'password', autocomplete: 'new-password' })
    }
    inputs.urls.value = server?.urls.join('\n') ?? ''
    inputs.username.value = server?.username ?? ''
    inputs.credential.value = server?.credential ?? ''
    const legend = h('legend')
    const remove = h('button', { type: 'button' }, t('remove'))
    const row: Row = {
      root: h('fieldset', { className: 'ice-server' }, legend,
        ...field('urls', inputs.urls, t('iceUrlsLabel'), t('iceUrlsHelp')),
        ...field('username', inputs.username, t('iceUsernameLabel')),
        ...field('credential', inputs.credential, t('iceCredentialLabel')),
        h('div', { className: 'row' }, remove)),
      legend,
      remove,
      inputs,
      errors
    }
    remove.addEventListener('click', () => {
      rows = rows.filter(r => r !== row)
      showRows()
      addRow.focus()
    }, { signal })
    return row
  }

  const addServer = (server?: IceServer): void => {
    const row = makeRow(server)
    rows = [...rows, row]
    showRows()
    row.inputs.urls.focus()
  }

  const clearErrors = (): void => {
    saved.textContent = ''
    formError.textContent = ''
    for (const row of rows) for (const error of Object.values(row.errors)) error.textContent = ''
  }

  /** Fills the form with the servers as saved (credentials included: this is the user's own page). */
  const load = async (): Promise<void> => {
    const servers = await client.request({ method: 'getIceServers' })
    rows = servers.map(server => makeRow(server))
    showRows()
  }

  /** Puts an error beside the field it names (`iceServers.1.urls.0`), else under the form. */
  const showError = (err: unknown, sent: Row[]): void => {
    if (err instanceof ResourceLimitError && err.data.limitType === 'ice-servers') {
      formError.textContent = t('iceTooMany', String(err.data.limit))
      return
    }
    const match = err instanceof ValidationError ? /^iceServers\.(\d+)(?:\.(urls|username|credential)(?:\.(\d+))?)?$/.exec(err.data.field) : null
    const row = match == null ? undefined : sent[Number(match[1])]
    if (row == null || !(err instanceof ValidationError)) {
      formError.textContent = errorText(err)
      return
    }
    const part = (match?.[2] ?? 'urls') as Part
    const url = match?.[3]
    row.errors[part].textContent = url == null ? err.data.reason : t('iceUrlError', String(Number(url) + 1), err.data.reason)
    row.inputs[part].focus()
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    clearErrors()
    // Rows left blank are not servers; the others go as typed, for Peerlink to judge.
    const sent = rows.filter(r => Object.values(r.inputs).some(input => input.value.trim() !== ''))
    const iceServers = sent.map(({ inputs }) => ({
      urls: inputs.urls.value.split(/\s+/).filter(url => url !== ''),
      username: inputs.username.value.trim(),
      credential: inputs.credential.value
    }))
    client.request({ method: 'setIceServers', iceServers }).then(async () => {
      await load()
      saved.textContent = t('iceSaved')
    }, (err: unknown) => { showError(err, sent) })
  }, { signal })
  addRow.addEventListener('click', () => { addServer() }, { signal })
  addPreset.addEventListener('click', () => {
    const chosen = PRESETS.find(p => p.id === preset.value)
    if (chosen == null) return
    addServer({ urls: chosen.urls })
    preset.value = ''
  }, { signal })

  check.addEventListener('click', () => {
    check.disabled = true
    checkResult.textContent = t('iceChecking')
    checkDetail.textContent = ''
    void runCheck(client, inUse, signal).then(({ verdict, checked, turnSkipped }) => {
      checkResult.textContent = verdictText(verdict)
      checkDetail.textContent = [
        t('iceCandidatesFound', String(verdict.counts.host), String(verdict.counts.srflx + verdict.counts.prflx), String(verdict.counts.relay)),
        checked.length === 0 ? t('iceCheckedNone') : t('iceCheckedWith', checked.join(', ')),
        turnSkipped ? t('iceRelayTurnNotChecked') : ''
      ].filter(line => line !== '').join(' ')
    }, (err: unknown) => {
      checkResult.textContent = t('iceCheckFailed', errorText(err))
    }).finally(() => { check.disabled = false })
  }, { signal })

  root.replaceChildren(
    h('h2', { id: 'connectivity-heading' }, t('connectivityHeading')),
    h('p', { className: 'muted' }, t('connectivityHelp')),
    h('h3', {}, t('iceInUseHeading')),
    inUseList,
    h('h3', { id: 'ice-yours-heading' }, t('iceYoursHeading')),
    form,
    h('h3', {}, t('icePresetsHeading')),
    h('p', { className: 'muted' }, t('icePresetsHelp')),
    h('label', { for: 'ice-preset' }, t('icePresetLabel')),
    h('div', { className: 'row' }, preset, addPreset),
    h('h3', {}, t('iceCheckHeading')),
    h('p', { className: 'muted' }, t('iceCheckHelp')),
    h('div', { className: 'row' }, check),
    checkResult,
    checkDetail)
  showRows()
  load().catch((err: unknown) => { formError.textContent = errorText(err) })

  return {
    render (status) {
      inUse = status.iceServers
      inUseList.replaceChildren(...(inUse.length > 0
        ? inUse.map(server => h('li', { className: 'row' },
          h('code', { className: 'grow' }, server.urls.join(', ')),
          h('span', { className: 'badge tone-idle', title: server.relay ?? '' }, sourceText(server))))
        : [h('li', { className: 'muted' }, t('iceNoneInUse'))]))
    }
  }
}

/** Where a server in use comes from, in words. */
function sourceText (server: IceServerView): string {
  if (server.source === 'user') return t('iceSourceUser')
  const relayId = server.relay?.split('/p2p/').at(-1)
  return t('iceSourceRelay', relayId == null ? '' : shortId(relayId))
}

/** The verdict as a sentence a person understands. */
function verdictText (verdict: IceVerdict): string {
  switch (verdict.reach) {
    case 'stun':
      return verdict.turnFallback ? `${t('iceVerdictStun')} ${t('iceVerdictTurnFallback')}` : t('iceVerdictStun')
    case 'turn':
      return t('iceVerdictTurn')
    case 'local':
      return t('iceVerdictLocal')
    default:
      return t('iceVerdictNone')
  }
}

/**
 * Runs the check with the servers Peerlink uses: the user's own, read with
 * their credentials; otherwise the STUN servers the relays offer. The relays'
 * TURN credentials stay in the node, so their TURN servers are left out and
 * the answer says so.
 */
async function runCheck (client: PeerlinkClient, inUse: IceServerView[], signal: AbortSignal): Promise<{ verdict: IceVerdict, checked: string[], turnSkipped: boolean }> {
  const own = await client.request({ method: 'getIceServers' })
  const offered = inUse.filter(s => s.source === 'relay')
  const servers: RTCIceServer[] = own.length > 0
    ? own
    : offered.map(s => ({ urls: s.urls.filter(url => /^stuns?:/.test(url)) })).filter(s => s.urls.length > 0)
  const turnSkipped = own.length === 0 && offered.some(s => s.urls.some(url => /^turns?:/.test(url)))
  const types = await gatherCandidateTypes(servers, ICE_CHECK_TIMEOUT_MS, signal)
  return { verdict: iceVerdict(types), checked: servers.flatMap(s => [s.urls].flat()), turnSkipped }
}
