// `oicq db check | backup`: the store file itself — integrity and online backups (restore is documented in
// the README: stop the server, copy the backup over the database, delete its -wal and -shm files).
import { existsSync, statSync } from 'node:fs';
import { DEFAULT_DB_PATH, checkSqliteFile, openSqliteStore, storeFault } from '../store/sqlite.js';
import { checkPositionals, parseSubcommand } from './args.js';
import { CliError } from './errors.js';
import { storeErrorToCli } from './user.js';

const USAGE = `usage: oicq db <check | backup> [options]

  oicq db check
      run SQLite's full integrity check on the database; exit 1 and list the problems if it is damaged
  oicq db backup <file>
      copy the database to a new <file> (mode 0600), consistently, also while the server runs

options:
  --db <path>         database file (default ${DEFAULT_DB_PATH})
  -h, --help          show this help

Restore: stop the server, copy the backup over the database file, delete the database's -wal and -shm files.`;

const OPTIONS = {
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBS = ['check', 'backup'] as const;

/** Runs `oicq db …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseSubcommand(argv, OPTIONS, SUBS, 'oicq db', USAGE);
  if (!cmd) return 0;
  const { values, positionals, sub } = cmd;
  const db = values.db ?? DEFAULT_DB_PATH;
  if (!existsSync(db)) throw new CliError(`no database at '${db}' — pass --db <path>`);
  switch (sub) {
    case 'check': {
      checkPositionals(positionals, 0, 0, 'oicq db check');
      const problems = checkSqliteFile(db);
      if (problems.length === 0) {
        process.stdout.write(`${db}: ok (SQLite integrity check passed)\n`);
        return 0;
      }
      process.stdout.write(problems.map((p) => `${db}: ${p}\n`).join(''));
      throw new CliError(
        `${db} is damaged (${problems.length} problem${problems.length === 1 ? '' : 's'} above) — restore a backup ` +
          `(stop the server, copy it over ${db}, delete ${db}-wal and ${db}-shm) or salvage with 'sqlite3 ${db} .recover'`,
      );
    }
    case 'backup': {
      checkPositionals(positionals, 1, 1, 'oicq db backup <file>');
      const file = positionals[0]!;
      if (existsSync(file)) throw new CliError(`${file} already exists — give the backup a new file name`);
      let store;
      try {
        store = openSqliteStore(db);
      } catch (e) {
        const f = storeFault(e, db);
        if (f) throw storeErrorToCli(f);
        throw e;
      }
      try {
        await store.backup(file);
      } catch (e) {
        const f = storeFault(e, file);
        if (f) throw storeErrorToCli(f);
        throw new CliError(`cannot write the backup ${file}: ${(e as Error).message}`);
      } finally {
        store.close();
      }
      process.stdout.write(`backed up ${db} to ${file} (${statSync(file).size} bytes)\n`);
      return 0;
    }
  }
}
