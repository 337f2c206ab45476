// The seeded cluster simulation: many seeds of 3- and 5-member clusters under faults, each
// checked for Raft's safety properties on every tick, for liveness after the faults heal, and
// for a linearizable client history. SIM_SEEDS=n runs n seeds per size (default 250, so 500
// in all); SIM_SEED=s replays one seed (a failure prints it).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {type SimResult, runSeed} from './simulation.js'

const one = process.env.SIM_SEED
/** Seeds from here on run five members, so a seed alone names a run. */
const fiveMemberSeeds = 100_000
const seedsPerSize = Number(process.env.SIM_SEEDS ?? 250)

function runMany(members: 3 | 5, firstSeed: number, count: number): SimResult[] {
  const results: SimResult[] = []
  for (let seed = firstSeed; seed < firstSeed + count; seed++) results.push(runSeed(seed, {members}))
  return results
}

function summary(results: SimResult[]): string {
  const sum = (f: (r: SimResult) => number) => results.reduce((a, r) => a + f(r), 0)
  const maxLive = Math.max(...results.map((r) => r.livenessTicks))
  return `${results.length} seeds: ${sum((r) => r.opsCompleted)} ops completed, ${sum((r) => r.opsUnknown)} unknown, ${sum((r) => r.leaderTerms)} leader terms, ${sum((r) => r.snapshotsSent)} snapshots sent, liveness within ${maxLive} ticks`
}

describe('raft cluster simulation', () => {
  if (one !== undefined) {
    it(`replays SIM_SEED=${one}`, () => {
      const seed = Number(one)
      const members = seed >= fiveMemberSeeds ? 5 : 3
      const r = runSeed(seed, {members})
      if (process.env.SIM_VERBOSE === '1') console.log(r.events.join('\n'))
      console.log(summary([r]))
    })
    return
  }

  it(`3 members, ${seedsPerSize} seeds`, () => {
    const results = runMany(3, 0, seedsPerSize)
    console.log(summary(results))
    // The runs do real work: most ops complete, some end unknown (faults), leaders change.
    assert.ok(results.reduce((a, r) => a + r.opsCompleted, 0) > results.length * 50)
  })

  it(`5 members, ${seedsPerSize} seeds`, () => {
    const results = runMany(5, fiveMemberSeeds, seedsPerSize)
    console.log(summary(results))
    assert.ok(results.reduce((a, r) => a + r.opsCompleted, 0) > results.length * 50)
  })
})
