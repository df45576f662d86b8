/**
 * The welcome page, opened once when Peerlink is installed (and from the
 * options page): from nothing to a first message in four steps. It only
 * reads the status until the person acts: a relay is dialled when they add
 * it, a contact when they add it or press Connect, and nothing before.
 */
import { makePeerlinkClient } from '../api/client.ts'
import type { Status } from '../api/protocol.ts'
import { h } from '../ui/dom.ts'
import { localize, t } from '../ui/i18n.ts'
import { mountCardStep } from './card-step.ts'
import { mountContactStep } from './contact-step.ts'
import { mountHelloStep } from './hello-step.ts'
import { WELCOME_STEPS, welcomeProgress, type WelcomeStep } from './progress.ts'
import { mountRelayStep } from './relay-step.ts'

const client = makePeerlinkClient()
const teardown = new AbortController()
localize(document)
document.title = t('welcomeTitle')

const HEADINGS: Record<WelcomeStep, string> = {
  relay: 'welcomeRelayHeading', card: 'welcomeCardHeading', contact: 'welcomeContactHeading', hello: 'welcomeHelloHeading'
}
/** Each step: its list item, its heading (focusable, so focus can move to it) and its state in words. */
const steps = Object.fromEntries(WELCOME_STEPS.map((step) => {
  const state = h('span', { className: 'step-state' })
  const heading = h('h2', { id: `step-${step}-heading`, tabindex: -1 }, h('span', {}, t(HEADINGS[step])), state)
  const section = h('section', { 'aria-labelledby': heading.id }, heading)
  const item = h('li', { id: `step-${step}`, className: 'step' }, section)
  return [step, { item, heading, section, state }]
})) as Record<WelcomeStep, { item: HTMLLIElement, heading: HTMLHeadingElement, section: HTMLElement, state: HTMLSpanElement }>
document.getElementById('steps')!.replaceChildren(...WELCOME_STEPS.map(step => steps[step].item))
const progressText = document.getElementById('welcome-progress')!

/** The contact added on this page: the last step is about it. */
let chosen: string | undefined
let latest: Status | undefined
const card = mountCardStep(steps.card.section, teardown.signal)
const hello = mountHelloStep(steps.hello.section, steps.hello.heading, client, teardown.signal)
const contact = mountContactStep(steps.contact.section, client, (peer) => {
  chosen = peer.peerId
  if (latest != null) render(latest)
  steps.hello.heading.focus()
  // Adding someone here is asking to reach them: the live check starts at once.
  hello.reach(peer.peerId)
}, teardown.signal)
const relay = mountRelayStep(steps.relay.section, client, {
  onSaved: () => { steps.card.heading.focus() },
  onCard: (offered) => { contact.offerCard(offered) }
}, teardown.signal)

function render (status: Status): void {
  const progress = welcomeProgress(status, chosen)
  for (const step of WELCOME_STEPS) {
    const { item, state } = steps[step]
    const done = progress.done[step]
    item.className = `step${done ? ' done' : ''}${progress.next === step ? ' next' : ''}`
    const words = done ? t('welcomeStepDone') : progress.next === step ? t('welcomeStepNext') : ''
    if (state.textContent !== words) state.textContent = words
  }
  const words = t('welcomeProgress', String(progress.count), String(WELCOME_STEPS.length))
  if (progressText.textContent !== words) progressText.textContent = words
  relay.render(status)
  card.render(progress.card)
  hello.render(progress.contact)
}

const unsubscribe = client.subscribe((event) => {
  if (event.type === 'status') {
    latest = event.status
    render(event.status)
  } else if (event.type === 'messages') {
    for (const message of event.messages) hello.update(message)
  }
})

addEventListener('pagehide', () => { unsubscribe(); teardown.abort() })
