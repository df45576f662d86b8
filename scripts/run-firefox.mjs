// `npm run firefox`: builds Peerlink and opens it in a Firefox of its own (a fresh profile), through `web-ext run`.
import { spawnSync } from 'node:child_process'
import { findFirefox } from './browsers.mjs'

const firefox = await findFirefox()
if (firefox == null) {
  console.error('peerlink: no Firefox found: install Firefox 142 or later (Debian: apt-get install firefox-esr) or set PEERLINK_FIREFOX=/path/to/firefox')
  process.exit(1)
}
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status === 0
if (!run('node', ['scripts/build.mjs', '--logLevel', 'warn'])) process.exit(1)
// Anything after `--` goes to web-ext run (for example --arg=--headless, or --firefox-profile).
// web-ext reloads the add-on whenever dist/firefox changes, so `npm run build` shows edits.
process.exit(run('npx', ['web-ext', 'run', '--source-dir', 'dist/firefox', '--firefox', firefox, ...process.argv.slice(2)]) ? 0 : 1)
