import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRelayFlags } from '../relay/flags.ts'
import { RELAY_BUNDLE_FILE } from './relay-bundle.ts'

const UNIT = readFileSync(new URL('../relay/peerlink-relay.service', import.meta.url), 'utf8')
const setting = (key: string): string[] => [...UNIT.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map(match => match[1]!)
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0

describe('relay/peerlink-relay.service', () => {
  it('runs the bundle with flags the relay takes, keeping its files in its state directory', () => {
    const [execStart] = setting('ExecStart')
    const [node, script, ...flags] = execStart!.split(' ')
    expect(node).toBe('/usr/bin/node')
    expect(script).toBe(`/opt/peerlink-relay/${RELAY_BUNDLE_FILE}`)
    const config = parseRelayFlags(flags)
    if (config === 'help') throw new Error('the unit asks for --help')
    expect(config).toMatchObject({ host: '203.0.113.10', port: 9090, webrtcPort: 9091, stunPort: 3478, metrics: { host: '127.0.0.1', port: 9464 } })
    expect(config.dataDir).toBe(`/var/lib/${setting('StateDirectory')[0]}`)
  })

  it('is shown whole in docs/relay.md', () => {
    const doc = readFileSync(new URL('../docs/relay.md', import.meta.url), 'utf8')
    expect(doc.includes(`\`\`\`ini\n${UNIT}\`\`\``), 'docs/relay.md shows relay/peerlink-relay.service as it is, in an ini block').toBe(true)
  })

  it.skipIf(!hasSystemdAnalyze)(`passes systemd-analyze verify without a warning${hasSystemdAnalyze ? '' : ' (skipped: no systemd-analyze on this machine)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerlink-relay-unit-'))
    try {
      // verify checks that ExecStart's program exists: point it at this Node, wherever it is.
      const unit = join(dir, 'peerlink-relay.service')
      writeFileSync(unit, UNIT.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `))
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8', timeout: 30_000 })
      // Where systemd runs, verify may also speak of the system's own units; only lines about this one count.
      expect(result.stderr.split('\n').filter(line => line.includes('peerlink-relay'))).toEqual([])
      expect(result.status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 40_000)
})
