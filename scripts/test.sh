#!/usr/bin/env bash
# The whole test suite: build, type check, lint, layering rules, then every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
npx tsc -p tsconfig.check.json
npx eslint --max-warnings=0 src test bench
npx depcruise --config .dependency-cruiser.cjs src
files=$(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec ${files}
