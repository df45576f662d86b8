import type { MessageView } from '../api/protocol.ts'
import { h } from '../ui/dom.ts'
import { t } from '../ui/i18n.ts'

/** How close to the top (px) the person must scroll for the next older page to load. */
const LOAD_OLDER_WITHIN_PX = 120
/** How close to the bottom (px) still counts as reading the newest messages: new ones scroll into view. */
const FOLLOW_WITHIN_PX = 48

export interface MessageLog {
  /** Shows a conversation's newest messages (oldest first), replacing what was shown, and scrolls to the newest. */
  reset: (messages: MessageView[]) => void
  /** A new message, or a new state of one shown: changed in place; the view follows only a person reading the newest. */
  upsert: (message: MessageView) => void
}

export interface MessageLogOptions {
  /** The scrolling element around `list`. */
  scroller: HTMLElement
  /** The list the messages go in. */
  list: HTMLElement
  /** Draws one message. */
  item: (message: MessageView) => HTMLElement
  /** The page of messages just older than `oldest`, oldest first; empty at the start of the conversation. */
  older: (oldest: MessageView) => Promise<MessageView[]>
  signal: AbortSignal
}

/** A day's heading in the log: "Today", "Yesterday", or the date. */
function dayLabel (at: number, now = new Date()): string {
  const day = new Date(at)
  const yesterday = new Date(now)
  yesterday.setDate(now.getDate() - 1)
  if (day.toDateString() === now.toDateString()) return t('dayToday')
  if (day.toDateString() === yesterday.toDateString()) return t('dayYesterday')
  return day.toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })
}

const dayOf = (at: number): string => new Date(at).toDateString()

/**
 * A conversation's messages under day headings, paged back from the store
 * as the person scrolls up (what they were reading stays where it was), and
 * kept at the newest only while the person is there.
 */
export function makeMessageLog ({ scroller, list, item, older, signal }: MessageLogOptions): MessageLog {
  let messages: MessageView[] = []
  const nodes = new Map<string, HTMLElement>()
  /** Bumped by every reset: a page asked for before it belongs to another conversation. */
  let generation = 0
  let loading = false
  let atStart = false

  const separator = (at: number): HTMLElement => h('li', { className: 'day', 'data-day': dayOf(at) }, h('span', {}, dayLabel(at)))

  /** The messages with a heading before each new day. */
  const fragment = (page: MessageView[]): DocumentFragment => {
    const out = document.createDocumentFragment()
    let day: string | undefined
    for (const message of page) {
      if (dayOf(message.at) !== day) out.append(separator(message.at))
      day = dayOf(message.at)
      const node = item(message)
      nodes.set(message.id, node)
      out.append(node)
    }
    return out
  }

  const nearBottom = (): boolean => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_WITHIN_PX

  const loadOlder = async (): Promise<void> => {
    const oldest = messages[0]
    if (loading || atStart || oldest == null) return
    loading = true
    scroller.setAttribute('aria-busy', 'true')
    const asked = generation
    try {
      const page = (await older(oldest)).filter(m => !nodes.has(m.id))
      if (asked !== generation) return
      if (page.length === 0) {
        atStart = true
        return
      }
      // Measured from the bottom, which the new page does not move: the message read stays put.
      const fromBottom = scroller.scrollHeight - scroller.scrollTop
      // The page's last day may be the day already heading the list: one heading for it, above the page's messages.
      const first = list.firstElementChild as HTMLElement | null
      if (first?.dataset.day === dayOf(page.at(-1)!.at)) first.remove()
      list.prepend(fragment(page))
      scroller.scrollTop = scroller.scrollHeight - fromBottom
      messages = [...page, ...messages]
    } finally {
      if (asked === generation) {
        loading = false
        scroller.removeAttribute('aria-busy')
      }
    }
    // A short first page may leave nothing to scroll: fill the view.
    if (scroller.scrollTop <= LOAD_OLDER_WITHIN_PX) await loadOlder()
  }

  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop <= LOAD_OLDER_WITHIN_PX) void loadOlder()
  }, { signal, passive: true })

  return {
    reset (page) {
      generation++
      loading = false
      atStart = false
      nodes.clear()
      messages = [...page]
      list.replaceChildren(fragment(page))
      scroller.scrollTop = scroller.scrollHeight
    },
    upsert (message) {
      const old = nodes.get(message.id)
      if (old != null) {
        const node = item(message)
        old.replaceWith(node)
        nodes.set(message.id, node)
        messages = messages.map(m => m.id === message.id ? message : m)
        return
      }
      const follow = nearBottom() || message.direction === 'out'
      const last = messages.at(-1)
      if (last == null || dayOf(last.at) !== dayOf(message.at)) list.append(separator(message.at))
      const node = item(message)
      nodes.set(message.id, node)
      list.append(node)
      messages.push(message)
      if (follow) scroller.scrollTop = scroller.scrollHeight
    }
  }
}
