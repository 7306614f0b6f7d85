#!/usr/bin/env node
// `npm run serve -- <folder>`: build if needed, then browser mode (always).
import { runCli, ensureBuilt } from './lib.mjs'

ensureBuilt()
runCli(['serve', ...process.argv.slice(2)])
