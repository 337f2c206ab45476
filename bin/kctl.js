#!/usr/bin/env node
// Launcher: hands argv to the kctl command set (cli/kctl/package.json names its commands).
import {execute} from '@oclif/core'

await execute({dir: new URL('../cli/kctl/package.json', import.meta.url).pathname})
