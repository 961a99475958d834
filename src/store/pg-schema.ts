// PostgreSQL schema as ordered migrations, applied at start under an advisory lock (several nodes may start at
// once). The tables and columns are SQLite's (rows.ts maps both); only the types and the id generators differ.
import type { PgConnection } from './pg-sync.js';
import { StoreError } from './validate.js';
import type { Migration } from './schema.js';

/** Every PostgreSQL schema step. Append only. */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        uid          BIGINT  PRIMARY KEY CHECK (uid BETWEEN 1 AND 4294967295),
        nick         TEXT    NOT NULL,
        password_md5 BYTEA   NOT NULL CHECK (length(password_md5) = 16),
        face         INTEGER NOT NULL DEFAULT 0,
        age          INTEGER NOT NULL DEFAULT 0,
        gender       INTEGER NOT NULL DEFAULT 255,
        created_at   BIGINT  NOT NULL,
        strangers    INTEGER NOT NULL DEFAULT 0 CHECK (strangers IN (0, 1)),
        auth_type    INTEGER NOT NULL DEFAULT 1,
        signature    TEXT    NOT NULL DEFAULT '',
        signature_at BIGINT  NOT NULL DEFAULT 0,
        -- The fencing token of cluster logins: raised by the node that accepts a login (docs/DECISIONS.md).
        login_epoch  BIGINT  NOT NULL DEFAULT 0
      );
      CREATE TABLE friend_groups (
        owner BIGINT  NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        idx   INTEGER NOT NULL CHECK (idx BETWEEN 1 AND 63),
        name  TEXT    NOT NULL,
        PRIMARY KEY (owner, idx)
      );
      CREATE UNIQUE INDEX friend_groups_name ON friend_groups(owner, name);
      CREATE TABLE friends (
        owner  BIGINT  NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        friend BIGINT  NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        grp    INTEGER NOT NULL DEFAULT 0,
        since  BIGINT  NOT NULL,
        PRIMARY KEY (owner, friend),
        CHECK (owner <> friend)
      );
      CREATE TABLE messages (
        id           BIGSERIAL PRIMARY KEY,
        sender       BIGINT  NOT NULL,
        receiver     BIGINT  NOT NULL,
        sent_at      BIGINT  NOT NULL,
        msg_id       INTEGER NOT NULL,
        frag_count   INTEGER NOT NULL,
        frag_index   INTEGER NOT NULL,
        reply_type   INTEGER NOT NULL,
        text         TEXT    NOT NULL,
        font_name    TEXT,
        font_size    INTEGER,
        font_style   INTEGER,
        font_color   BIGINT,
        stored_at    BIGINT  NOT NULL,
        delivered_at BIGINT,
        stranger     INTEGER NOT NULL DEFAULT 0,
        kind         INTEGER NOT NULL DEFAULT 0,
        ref          BIGINT,
        qun          BIGINT
      );
      CREATE UNIQUE INDEX messages_dedup ON messages(sender, receiver, sent_at, msg_id, frag_index) WHERE kind = 0;
      CREATE INDEX messages_pending ON messages(receiver, id) WHERE delivered_at IS NULL;
      CREATE INDEX messages_delivered ON messages(delivered_at) WHERE delivered_at IS NOT NULL;
      CREATE TABLE bans (
        uid       BIGINT PRIMARY KEY REFERENCES users(uid) ON DELETE CASCADE,
        reason    TEXT   NOT NULL,
        banned_at BIGINT NOT NULL
      );
      CREATE TABLE login_addresses (
        uid     BIGINT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        address TEXT   NOT NULL,
        last_at BIGINT NOT NULL,
        PRIMARY KEY (uid, address)
      );
      CREATE TABLE server_info (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        pid        INTEGER NOT NULL,
        host       TEXT    NOT NULL,
        started_at BIGINT  NOT NULL
      );
      CREATE TABLE friend_requests (
        requester  BIGINT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        target     BIGINT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        note       TEXT   NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (requester, target)
      );
      CREATE TABLE quns (
        id         BIGINT  PRIMARY KEY CHECK (id BETWEEN 1 AND 4294967295),
        name       TEXT    NOT NULL,
        notice     TEXT    NOT NULL DEFAULT '',
        intro      TEXT    NOT NULL DEFAULT '',
        creator    BIGINT  NOT NULL,
        auth_type  INTEGER NOT NULL,
        created_at BIGINT  NOT NULL
      );
      CREATE TABLE qun_members (
        qun       BIGINT  NOT NULL REFERENCES quns(id) ON DELETE CASCADE,
        uid       BIGINT  NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        role      INTEGER NOT NULL DEFAULT 0,
        joined_at BIGINT  NOT NULL,
        PRIMARY KEY (qun, uid)
      );
      CREATE INDEX qun_members_uid ON qun_members(uid);
      CREATE TABLE qun_requests (
        qun        BIGINT NOT NULL REFERENCES quns(id) ON DELETE CASCADE,
        uid        BIGINT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        note       TEXT   NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (qun, uid)
      );
      CREATE TABLE qun_messages (
        id         BIGSERIAL PRIMARY KEY,
        qun        BIGINT  NOT NULL,
        sender     BIGINT  NOT NULL,
        sent_at    BIGINT  NOT NULL,
        msg_id     INTEGER NOT NULL,
        frag_count INTEGER NOT NULL,
        frag_index INTEGER NOT NULL,
        text       TEXT    NOT NULL,
        font_name  TEXT,
        font_size  INTEGER,
        font_style INTEGER,
        font_color BIGINT,
        stored_at  BIGINT  NOT NULL
      );
      CREATE UNIQUE INDEX qun_messages_dedup ON qun_messages(qun, sender, sent_at, msg_id, frag_index);
      CREATE TABLE memos (
        owner     BIGINT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        friend    BIGINT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        alias     TEXT   NOT NULL,
        mobile    TEXT   NOT NULL,
        telephone TEXT   NOT NULL,
        address   TEXT   NOT NULL,
        email     TEXT   NOT NULL,
        zipcode   TEXT   NOT NULL,
        note      TEXT   NOT NULL,
        PRIMARY KEY (owner, friend)
      );
      -- Cluster nodes and their leases (a node whose lease lapsed is taken over; docs/DECISIONS.md).
      CREATE TABLE nodes (
        id          TEXT   PRIMARY KEY,
        incarnation BIGINT NOT NULL,
        address     TEXT   NOT NULL,
        lease_until BIGINT NOT NULL
      );
    `,
  },
  {
    // Message ids are u32 on the wire (classic 0x0016 carries them as such): INTEGER held only half of them.
    version: 2,
    sql: `
      ALTER TABLE messages ALTER COLUMN msg_id TYPE BIGINT;
      ALTER TABLE qun_messages ALTER COLUMN msg_id TYPE BIGINT;
    `,
  },
  {
    // SQLite's version 6: a fragment cut inside a character is kept as its bytes and their charset.
    version: 3,
    sql: `
      ALTER TABLE messages ADD COLUMN text_bytes BYTEA;
      ALTER TABLE messages ADD COLUMN text_charset TEXT CHECK (text_charset IN ('utf8', 'gb18030'));
    `,
  },
  {
    // SQLite's version 7: the same for Qun message fragments (kept once in qun_messages).
    version: 4,
    sql: `
      ALTER TABLE qun_messages ADD COLUMN text_bytes BYTEA;
      ALTER TABLE qun_messages ADD COLUMN text_charset TEXT CHECK (text_charset IN ('utf8', 'gb18030'));
    `,
  },
];

/** Key of the advisory lock that serialises migrations of concurrently starting nodes. */
const MIGRATION_LOCK = 0x01c0_0001;

/** Applies the missing migrations; refuses a database written by a newer version. */
export function migratePg(db: PgConnection, now: number): number {
  const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
  db.tx(() => {
    db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const current = Number(db.get('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')!['v']);
    if (current > latest) {
      throw new StoreError('schema', `the database has schema version ${current}, newer than this oicq understands (${latest}) — upgrade oicq`);
    }
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      db.script(m.sql);
      db.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, now]);
    }
  });
  return latest;
}
