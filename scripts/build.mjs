// `npm run build`: dist/chrome and dist/firefox from the one source tree (see vite.config.ts).
// Extra arguments go to each `vite build`, such as `--logLevel warn`.
import { spawnSync } from 'node:child_process'

for (const mode of ['chrome', 'firefox']) {
  if (spawnSync('npx', ['vite', 'build', '--mode', mode, ...process.argv.slice(2)], { stdio: 'inherit' }).status !== 0) process.exit(1)
}
