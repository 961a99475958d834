// A node:test reporter for scripts/run-tests.mjs: one JSON line per event the runner needs (a test starting,
// finishing, passing or failing), written as it happens, so the runner can watch for a test that makes no
// progress and count test cases per file. Not meant for people: the spec reporter prints for them.
const KEEP = new Set(['test:dequeue', 'test:complete', 'test:pass', 'test:fail']);

export default async function* testEvents(source) {
  for await (const event of source) {
    if (!KEEP.has(event.type)) continue;
    const d = event.data ?? {};
    yield JSON.stringify({
      type: event.type,
      file: d.file,
      name: d.name,
      nesting: d.nesting,
      skip: d.skip !== undefined && d.skip !== false,
      todo: d.todo !== undefined && d.todo !== false,
      suite: d.details?.type === 'suite',
      failure: d.details?.error?.failureType,
    }) + '\n';
  }
}
