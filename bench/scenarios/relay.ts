/**
 * The relay at capacity: Node libp2p peers (children of this process, so
 * their CPU is not the relay's) reserve on one relay process, 100, 300 and
 * 1,000 of them, as browsers do. It measures the relay's memory per
 * reservation and its CPU at idle; its CPU per reservation made and per
 * relayed circuit (8 KiB each way, as signalling and a first message), and
 * so what one relay core takes of each; and how long a new browser waits for
 * its reservation while 50 circuits at a time run. Then it names the first
 * limit one core and 1 GiB would hit.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { ExtensionProfile } from '../../e2e/support/extension-profile.ts'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { growthSeries, type GrowthSeries } from '../growth-math.ts'
import { parseStat } from '../process-cpu.ts'

type RecordFigure = (key: string, name: string, unit: string, runs: number[]) => void

export const RELAY_SIZES = [100, 300, 1_000]
const IDLE_SECONDS = 10
const CIRCUIT_SECONDS = 10
const CIRCUITS_AT_ONCE = 50
const MiB = 1024 * 1024
const TICKS_PER_SECOND = 100

/** A child holding reserved peers; `next()` answers its next JSON line. */
interface Holder {
  child: ChildProcessWithoutNullStreams
  next: () => Promise<Record<string, number>>
}

function startHolder (relay: string, count: number): Holder {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scenarios/relay-peers.ts', relay, String(count)], { stdio: ['pipe', 'pipe', 'pipe'] })
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString() })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next()
      if (done === true) throw new Error(`a peer holder ended: ${errors}`)
      return JSON.parse(value as string) as Record<string, number>
    }
  }
}

const rssBytes = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024
const cpuSeconds = (pid: number): number => parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks / TICKS_PER_SECOND
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Runs the relay section; answers its growth series. */
export async function benchRelay (record: RecordFigure): Promise<GrowthSeries[]> {
  const relay = await RelayProcess.start(0, undefined, { args: ['--max-reservations', '10000'] })
  const pid = relay.pid!
  const holders: Holder[] = []
  let browser: ExtensionProfile | undefined
  try {
    await sleep(2_000)
    const baseline = rssBytes(pid)
    const memory: number[] = []
    const idle: number[] = []
    const perReservationCpu: number[] = []
    let held = 0
    for (const size of RELAY_SIZES) {
      // The new peers come from two children at once, so the relay, not one client, sets the pace.
      const adding = size - held
      const cpuBefore = cpuSeconds(pid)
      const started = performance.now()
      const batch = [startHolder(relay.address, Math.ceil(adding / 2)), startHolder(relay.address, Math.floor(adding / 2))]
      holders.push(...batch)
      await Promise.all(batch.map(async h => await h.next()))
      const seconds = (performance.now() - started) / 1000
      perReservationCpu.push((cpuSeconds(pid) - cpuBefore) / adding)
      held = size
      await sleep(3_000)
      memory.push((rssBytes(pid) - baseline) / MiB)
      const idleBefore = cpuSeconds(pid)
      await sleep(IDLE_SECONDS * 1000)
      idle.push((cpuSeconds(pid) - idleBefore) / IDLE_SECONDS * 100)
      console.log(`  ${String(size).padStart(5)} reserved: +${adding} in ${seconds.toFixed(1)} s (relay CPU ${((perReservationCpu.at(-1)!) * 1000).toFixed(2)} ms each); relay memory +${memory.at(-1)!.toFixed(1)} MiB over its ${(baseline / MiB).toFixed(0)} MiB at start; idle CPU ${idle.at(-1)!.toFixed(1)} % of a core`)
    }
    const slope = (memory.at(-1)! - memory[0]!) / (RELAY_SIZES.at(-1)! - RELAY_SIZES[0]!)
    record('relay.memory.per.reservation', 'relay memory per reservation (slope, 100 → 1,000)', 'KiB', [slope * 1024])
    record('relay.idle.cpu.1000', 'relay CPU at idle holding 1,000 reservations', '% core', [idle.at(-1)!])
    const reservationCpu = perReservationCpu.at(-1)!
    record('relay.reservations.per.core', 'reservations one relay core makes a second (relay CPU per reservation, 700 at once)', '/s', [1 / reservationCpu])

    // Circuits: 50 at a time, 8 KiB each way, for ten seconds.
    const circuitCpuBefore = cpuSeconds(pid)
    const circuitStarted = performance.now()
    for (const h of holders.slice(-2)) h.child.stdin.write(`circuits ${CIRCUITS_AT_ONCE / 2} ${CIRCUIT_SECONDS}\n`)
    // Meanwhile a new browser reserves on the relay: how long it waits.
    browser = await ExtensionProfile.launch({ name: 'newcomer' })
    await browser.waitForStatus(s => s.node === 'running', 'the node')
    const reserveStarted = performance.now()
    await browser.useRelay(relay.address)
    const firstReservationMs = performance.now() - reserveStarted
    const outcomes = await Promise.all(holders.slice(-2).map(async h => await h.next()))
    const circuitSeconds = (performance.now() - circuitStarted) / 1000
    const circuitCpu = cpuSeconds(pid) - circuitCpuBefore
    const circuits = outcomes.reduce((sum, o) => sum + (o.circuits ?? 0), 0)
    const failed = outcomes.reduce((sum, o) => sum + (o.failed ?? 0), 0)
    record('relay.circuits.per.second', `relayed circuits a second, ${CIRCUITS_AT_ONCE} at a time, 1,000 reserved`, '/s', [circuits / circuitSeconds])
    record('relay.circuit.cpu', 'relay CPU while circuits run', '% core', [circuitCpu / circuitSeconds * 100])
    record('relay.circuits.per.core', 'relayed circuits one relay core takes a second (relay CPU per circuit)', '/s', [circuits / circuitCpu])
    record('relay.first.reservation', 'a new browser\'s first reservation, while circuits run and 1,000 are reserved', 'ms', [firstReservationMs])
    console.log(`  circuits: ${circuits} in ${circuitSeconds.toFixed(1)} s, ${failed} failed; relay CPU ${(circuitCpu / circuitSeconds * 100).toFixed(0)} % of a core`)

    // One core and 1 GiB: what runs out first.
    const byMemory = Math.floor((1024 - baseline / MiB) / slope)
    const byIdleCpu = Math.floor(RELAY_SIZES.at(-1)! * 100 / Math.max(idle.at(-1)!, 0.1))
    const limit = byMemory <= byIdleCpu ? `memory (${(slope * 1024).toFixed(0)} KiB a reservation)` : `CPU at idle (${idle.at(-1)!.toFixed(1)} % of a core per 1,000)`
    record('relay.capacity.1core.1gib', 'reservations one core and 1 GiB hold (the first limit)', 'reservations', [Math.min(byMemory, byIdleCpu)])
    console.log(`  one core and 1 GiB: ${byMemory} reservations by memory, ${byIdleCpu} by CPU at idle: the first limit is ${limit}`)

    return [
      growthSeries({ key: 'relay.memory', name: 'relay memory above its start', unit: 'MiB', sizeLabel: 'reservations', section: 'relay', expected: 'linear', floor: 1 }, RELAY_SIZES, memory),
      growthSeries({ key: 'relay.idle', name: 'relay CPU at idle', unit: '% core', sizeLabel: 'reservations', section: 'relay', expected: 'linear', floor: 0.5 }, RELAY_SIZES, idle)
    ]
  } finally {
    await browser?.close()
    for (const h of holders) h.child.stdin.end('stop\n')
    await Promise.all(holders.map(async h => { if (h.child.exitCode == null) await new Promise(resolve => h.child.once('exit', resolve)) }))
    await relay.stop()
  }
}
