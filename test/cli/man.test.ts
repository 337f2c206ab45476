// Every command of both CLIs has a generated man page with its synopsis and examples.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {test} from 'node:test'

for (const cli of ['ectl', 'kctl']) {
  test(`${cli}: a man page for every command`, () => {
    const manifest = JSON.parse(readFileSync(`cli/${cli}/oclif.manifest.json`, 'utf8')) as {
      commands: Record<string, {examples?: string[]}>
    }
    const ids = Object.keys(manifest.commands)
    assert.ok(ids.length > 0)
    for (const id of ids) {
      const path = `man/${cli}-${id.replaceAll(':', '-').replaceAll(' ', '-')}.1`
      assert.ok(existsSync(path), `missing ${path}`)
      const page = readFileSync(path, 'utf8')
      assert.match(page, /^\.TH /m, `${path} has no title`)
      assert.ok((manifest.commands[id].examples ?? []).length > 0, `${cli} ${id} has no examples`)
      assert.match(page, /EXAMPLES/, `${path} has no examples section`)
    }
  })
}
