import assert from 'node:assert/strict'
import {test} from 'node:test'
import {unknownEtcdctlEnv} from '../../src/cli/global-flags.js'

test('the watch command\'s variables are known, as etcdctl knows them; others are warned about', () => {
  assert.deepEqual(unknownEtcdctlEnv({ETCDCTL_WATCH_KEY: 'k', ETCDCTL_WATCH_RANGE_END: 'l', ETCDCTL_BOGUS: '1'}), ['ETCDCTL_BOGUS'])
})
