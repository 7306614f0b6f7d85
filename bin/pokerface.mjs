#!/usr/bin/env node
// The `pokerface` command: headless services (browser mode, and later infer/export).
import { ensureBuilt, runCli } from '../scripts/lib.mjs'

ensureBuilt()
runCli(process.argv.slice(2))
