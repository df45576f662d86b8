/**
 * The bench's sections, by name, in the order a full run measures them.
 * `PEERLINK_BENCH=throughput,latency,wake npm run bench` runs only those;
 * unset or empty runs everything. `growth` stands for history, peers and
 * contacts together.
 */
export const SECTIONS = {
  layers: 'raw RTCDataChannel and raw libp2p stream: throughput and round trip',
  throughput: 'Peerlink end to end, durable: 1 KiB (sendMany) and 64 KiB messages',
  latency: 'Peerlink send → delivered, 100 B, sequential',
  durability: 'what strict and relaxed IndexedDB durability cost',
  wake: 'send to a stopped worker → delivered; worker start → first call',
  recovery: 'stream reset and relay restart → next delivery',
  memory: 'sender heap after a forced collection, and outbox, while the receiver stalls',
  firefox: 'Firefox ↔ Chromium',
  nat: 'across NAT routers, per route (root only)',
  mailbox: 'through a contact\'s mailbox: send → delivered, envelope overhead, deposits per relay core, the relay\'s disk and memory',
  relay: 'the relay at capacity: memory per reservation, idle CPU, reservations and circuits per core, a browser\'s reservation under load',
  popup: 'open the popup → the list of conversations, and the newest page of one of 1,000 messages',
  history: 'how cost grows: 1 k, 10 k, 100 k stored messages',
  peers: 'how cost grows: 1, 10, 50 connected peers',
  contacts: 'how cost grows: 10, 100, 1,000 contacts',
  bundle: 'bytes of the built extension’s scripts'
} as const

export type Section = keyof typeof SECTIONS

const ALIASES: Record<string, Section[]> = {
  growth: ['history', 'peers', 'contacts']
}

/** The sections a PEERLINK_BENCH value names, in run order; everything when it is unset or empty. Throws on an unknown name. */
export function selectSections (spec: string | undefined): Section[] {
  const all = Object.keys(SECTIONS) as Section[]
  const names = (spec ?? '').split(/[\s,]+/).map(s => s.trim().toLowerCase()).filter(s => s !== '')
  if (names.length === 0 || names.includes('all')) return all
  const wanted = new Set<Section>()
  for (const name of names) {
    if (name in SECTIONS) wanted.add(name as Section)
    else if (name in ALIASES) for (const s of ALIASES[name]!) wanted.add(s)
    else throw new Error(`PEERLINK_BENCH: no section "${name}"; the sections are ${[...all, ...Object.keys(ALIASES)].join(', ')}`)
  }
  return all.filter(s => wanted.has(s))
}

/** Whether `sections` is every section, i.e. a full run. */
export const isFullRun = (sections: Section[]): boolean => sections.length === Object.keys(SECTIONS).length
