#!/usr/bin/env node
// Launcher: hands argv to the ectl command set (cli/ectl/package.json names its commands).
import {execute} from '@oclif/core'

await execute({dir: new URL('../cli/ectl/package.json', import.meta.url).pathname})
