// SQLite schema as an ordered list of migrations. A database records the versions applied in
// schema_migrations; opening it applies the missing ones, each in its own transaction.
import type Database from 'better-sqlite3';
import { StoreError } from './validate.js';

/** One schema step: applied once, in version order. */
export interface Migration {
  version: number;
  sql: string;
}

/** Every schema step so far. Append only: never edit a migration that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        uid          INTEGER PRIMARY KEY CHECK (uid BETWEEN 1 AND 4294967295),
        nick         TEXT    NOT NULL,
        password_md5 BLOB    NOT NULL CHECK (length(password_md5) = 16),
        face         INTEGER NOT NULL DEFAULT 0,
        age          INTEGER NOT NULL DEFAULT 0,
        gender       INTEGER NOT NULL DEFAULT 255,
        created_at   INTEGER NOT NULL
      );

      -- Group 0 ("My Friends") is implicit and has no row.
      CREATE TABLE friend_groups (
        owner INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        idx   INTEGER NOT NULL CHECK (idx BETWEEN 1 AND 63),
        name  TEXT    NOT NULL,
        PRIMARY KEY (owner, idx)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX friend_groups_name ON friend_groups(owner, name);

      -- One row per direction: a friendship is two rows, each with its owner's group.
      CREATE TABLE friends (
        owner   INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        friend  INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        grp     INTEGER NOT NULL DEFAULT 0,
        since   INTEGER NOT NULL,
        PRIMARY KEY (owner, friend),
        CHECK (owner <> friend)
      ) WITHOUT ROWID;

      CREATE TABLE messages (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        sender       INTEGER NOT NULL,
        receiver     INTEGER NOT NULL,
        sent_at      INTEGER NOT NULL,
        msg_id       INTEGER NOT NULL,
        frag_count   INTEGER NOT NULL,
        frag_index   INTEGER NOT NULL,
        reply_type   INTEGER NOT NULL,
        text         TEXT    NOT NULL,
        font_name    TEXT,
        font_size    INTEGER,
        font_style   INTEGER,  -- bit 0 bold, bit 1 italic, bit 2 underline
        font_color   INTEGER,
        stored_at    INTEGER NOT NULL,
        delivered_at INTEGER
      );
      -- A retransmitted send must not store the message twice.
      CREATE UNIQUE INDEX messages_dedup ON messages(sender, receiver, sent_at, msg_id, frag_index);
      CREATE INDEX messages_pending ON messages(receiver, id) WHERE delivered_at IS NULL;
    `,
  },
  {
    version: 2,
    sql: `
      -- Accounts an operator banned: their logins are refused with the reason.
      CREATE TABLE bans (
        uid       INTEGER PRIMARY KEY REFERENCES users(uid) ON DELETE CASCADE,
        reason    TEXT    NOT NULL,
        banned_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    sql: `
      -- Who may leave messages for a user who is not their friend: 0 anyone (QQ's default), 1 friends only.
      ALTER TABLE users ADD COLUMN strangers INTEGER NOT NULL DEFAULT 0 CHECK (strangers IN (0, 1));
      -- 1 when the sender was not the receiver's friend: such messages have their own, small quota.
      ALTER TABLE messages ADD COLUMN stranger INTEGER NOT NULL DEFAULT 0;
      -- Delivered rows are purged by age; this finds them without a scan.
      CREATE INDEX messages_delivered ON messages(delivered_at) WHERE delivered_at IS NOT NULL;

      -- The last few addresses each user logged in from: a login guard never slows those down.
      CREATE TABLE login_addresses (
        uid     INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        address TEXT    NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (uid, address)
      ) WITHOUT ROWID;

      -- The running server, for the message a second one prints (the lock itself is a file lock, see lock.ts).
      CREATE TABLE server_info (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        pid        INTEGER NOT NULL,
        host       TEXT    NOT NULL,
        started_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Friend requests, system messages, Qun. The messages table becomes every receiver's inbox: kind 0 a
    // private message, 1 a Qun message (its text is kept once in qun_messages), 2 a system message.
    version: 4,
    sql: `
      ALTER TABLE users ADD COLUMN auth_type INTEGER NOT NULL DEFAULT 1;  -- 0 anyone, 1 needs authorization, 2 nobody
      ALTER TABLE users ADD COLUMN signature TEXT NOT NULL DEFAULT '';

      CREATE TABLE friend_requests (
        requester  INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        target     INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        note       TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (requester, target)
      ) WITHOUT ROWID;

      CREATE TABLE quns (
        id         INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 4294967295),
        name       TEXT    NOT NULL,
        notice     TEXT    NOT NULL DEFAULT '',
        intro      TEXT    NOT NULL DEFAULT '',
        creator    INTEGER NOT NULL,
        auth_type  INTEGER NOT NULL,  -- 1 open, 2 the creator approves, 3 closed
        created_at INTEGER NOT NULL
      );
      CREATE TABLE qun_members (
        qun       INTEGER NOT NULL REFERENCES quns(id) ON DELETE CASCADE,
        uid       INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        role      INTEGER NOT NULL DEFAULT 0,  -- 0 member, 1 admin (the creator)
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (qun, uid)
      ) WITHOUT ROWID;
      CREATE INDEX qun_members_uid ON qun_members(uid);
      CREATE TABLE qun_requests (
        qun        INTEGER NOT NULL REFERENCES quns(id) ON DELETE CASCADE,
        uid        INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        note       TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (qun, uid)
      ) WITHOUT ROWID;
      CREATE TABLE qun_messages (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        qun        INTEGER NOT NULL,
        sender     INTEGER NOT NULL,
        sent_at    INTEGER NOT NULL,
        msg_id     INTEGER NOT NULL,
        frag_count INTEGER NOT NULL,
        frag_index INTEGER NOT NULL,
        text       TEXT    NOT NULL,
        font_name  TEXT,
        font_size  INTEGER,
        font_style INTEGER,
        font_color INTEGER,
        stored_at  INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX qun_messages_dedup ON qun_messages(qun, sender, sent_at, msg_id, frag_index);

      ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN ref INTEGER;  -- kind 1: qun_messages.id; kind 2: the system code
      ALTER TABLE messages ADD COLUMN qun INTEGER;
      DROP INDEX messages_dedup;
      CREATE UNIQUE INDEX messages_dedup ON messages(sender, receiver, sent_at, msg_id, frag_index) WHERE kind = 0;
    `,
  },
  {
    // What users write from their clients: the time of their signature's last change, and their memos of friends.
    version: 5,
    sql: `
      ALTER TABLE users ADD COLUMN signature_at INTEGER NOT NULL DEFAULT 0;

      -- A user's memo about another user (pidgin's "buddy memo"; the alias is what clients show as the name).
      CREATE TABLE memos (
        owner     INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        friend    INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        alias     TEXT    NOT NULL,
        mobile    TEXT    NOT NULL,
        telephone TEXT    NOT NULL,
        address   TEXT    NOT NULL,
        email     TEXT    NOT NULL,
        zipcode   TEXT    NOT NULL,
        note      TEXT    NOT NULL,
        PRIMARY KEY (owner, friend)
      ) WITHOUT ROWID;
    `,
  },
  {
    // A fragment cut inside a character (MyQQ 3.19 cuts every 700 bytes) is kept as the bytes it was sent as, with
    // their charset; \`text\` then only holds what views show. NULL for every fragment of whole characters.
    version: 6,
    sql: `
      ALTER TABLE messages ADD COLUMN text_bytes BLOB;
      ALTER TABLE messages ADD COLUMN text_charset TEXT CHECK (text_charset IN ('utf8', 'gb18030'));
    `,
  },
  {
    // The same for Qun message fragments, kept once in qun_messages (their inbox rows hold no text).
    version: 7,
    sql: `
      ALTER TABLE qun_messages ADD COLUMN text_bytes BLOB;
      ALTER TABLE qun_messages ADD COLUMN text_charset TEXT CHECK (text_charset IN ('utf8', 'gb18030'));
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies the missing migrations; refuses a database written by a newer version. Returns the version now in place. */
export function migrate(db: Database.Database, now: number): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      'schema',
      `the database has schema version ${current}, newer than this oicq understands (${SCHEMA_VERSION}) — upgrade oicq`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    // Checked again under the write lock: another process may have opened the same file meanwhile.
    db.transaction(() => {
      if (applied.get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, now);
    }).immediate();
  }
  return SCHEMA_VERSION;
}
