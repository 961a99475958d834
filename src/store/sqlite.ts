// The embedded Store: one SQLite file in WAL mode through better-sqlite3 (synchronous, so a call
// returns only after its transaction is committed and, with synchronous=FULL, on disk).
import Database from 'better-sqlite3';
import { WalCheckpointer } from './wal-checkpointer.js';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Memo } from './store.js';
import type { Account, Ban, DeletedUser, Friend, FriendChange, FriendGroup, MailboxUsage, NewMessage, NewNotice, NewQunMessage, Qun, QunChange, QunMember, ServerInfo, Store, StoredMessage, StrangerPolicy, KnownLogin } from './store.js';
import { migrate } from './schema.js';
import { INBOX_SELECT } from './inbox-sql.js';
import { FIRST_QUN_ID, STYLE_SHIFT, qunInboxEntry, toAccount, toMemo, toMessage, toQun, type FriendRow, type MemoRow, type MessageRow, type QunRow, type UserRow } from './rows.js';
import { styleBits } from '../protocol/text.js';
import {
  DEFAULT_GROUP_NAME,
  MAX_GROUP_INDEX,
  MAX_MEMO_FIELD,
  MAX_UID,
  StoreError,
  checkInt,
  checkMessage,
  checkQunMessage,
  checkName,
  checkPasswordMd5,
  checkUid,
  checkGroupList,
  checkMemo,
  checkFriendChange,
  checkNotices,
  noticeMessage,
} from './validate.js';

/** Where the CLI and the server keep the database unless told otherwise (relative to the working directory). */
export const DEFAULT_DB_PATH = 'data/oicq.db';

/** Options of openSqliteStore. */
export interface SqliteStoreOptions {
  /** 'full' (default): every commit is on disk when the call returns. 'normal': faster; a power cut may lose the last commits. */
  synchronous?: 'full' | 'normal';
  /** Clock in Unix seconds for createdAt and delivery stamps (tests pin it). */
  now?: () => number;
  /**
   * Days a delivered message is kept. 0 (default): its text is erased as soon as it is delivered and the row
   * (a tombstone that recognises a late retransmitted send) goes after DEDUP_TOMBSTONE_SECONDS.
   */
  keepDeliveredDays?: number;
  /** The database never grows past this many bytes (SQLite's max_page_count): writes that need more fail as on a full disk. */
  maxSizeBytes?: number;
  /** Run SQLite's quick_check before use and refuse a damaged file (the server does; account commands need not). */
  quickCheck?: boolean;
  /**
   * Checkpoint the WAL from a worker thread every this many ms instead of inside the commit that crosses SQLite's
   * 1 000 pages (the server does: that commit stalled the event loop; see WalCheckpointer). Unset: SQLite's own.
   */
  backgroundCheckpointMs?: number;
  /** With background checkpoints: WAL frames past which the connection catches up itself (default 10 000, ≈ 40 MB). */
  walCatchUpFrames?: number;
}

/** How long a delivered message's tombstone stays so a late retransmission of its send is not stored again. */
export const DEDUP_TOMBSTONE_SECONDS = 3600;

/**
 * Opens (creating if needed) the SQLite store at `path` (':memory:' for a throwaway one). The file and its
 * -wal/-shm companions are kept at mode 0600: they hold MD5(password), which is password-equivalent.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const memory = path === ':memory:';
  if (!memory) prepareFile(path);
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw storeFault(e, path) ?? e;
  }
  try {
    // The busy timeout first: switching a new file to WAL takes a lock that a concurrent opener may hold.
    db.pragma('busy_timeout = 5000');
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    if (opts.maxSizeBytes) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxSizeBytes / pageSize))}`);
    }
    if (opts.quickCheck) {
      const problems = integrityProblems(db, 'quick');
      if (problems.length) throw corrupt(path, problems[0]!);
    }
    const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    migrate(db, now());
    if (!memory) tightenModes(path);
    let checkpointer: WalCheckpointer | undefined;
    if (!memory && opts.backgroundCheckpointMs) {
      const conn = db;
      conn.pragma('wal_autocheckpoint = 0');
      const limit = opts.walCatchUpFrames ?? 10_000;
      checkpointer = new WalCheckpointer(path, opts.backgroundCheckpointMs, () => {
        // The thread is gone: SQLite checkpoints in the commits again rather than let the WAL grow.
        if (conn.open) conn.pragma('wal_autocheckpoint = 1000');
      }, (r) => {
        // Commits kept landing during the thread's checkpoints, so the WAL was never all copied when a write began
        // and never started over. No commit runs during this call (this thread is the only writer): it copies the
        // few frames left, and the next commit starts the WAL over. One stall per `limit` frames, not per 1 000.
        if (r.log > limit && conn.open) conn.pragma('wal_checkpoint(PASSIVE)');
      });
    }
    return new SqliteStore(db, now, path, opts.keepDeliveredDays ?? 0, checkpointer);
  } catch (e) {
    db.close();
    throw storeFault(e, path) ?? e;
  }
}

/**
 * SQLite's full integrity check of the file at `path`, opened read-only (nothing is migrated or written):
 * the problems found, [] if none. A file that is not a database at all is one problem.
 */
export function checkSqliteFile(path: string): string[] {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return integrityProblems(db, 'full');
  } catch (e) {
    const fault = storeFault(e, path);
    if (fault?.code === 'corrupt') return [(e as Error).message];
    throw fault ?? e;
  } finally {
    db?.close();
  }
}

/** SQLite's integrity_check or quick_check: the problems it lists ([] for "ok"). */
function integrityProblems(db: Database.Database, mode: 'quick' | 'full'): string[] {
  const rows = db.pragma(mode === 'quick' ? 'quick_check(20)' : 'integrity_check(100)') as Record<string, string>[];
  // One row can hold several lines; the "*** in database main ***" heading says nothing.
  const lines = rows.flatMap((r) => String(Object.values(r)[0]).split('\n')).filter((l) => l && !l.startsWith('***'));
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

function corrupt(path: string, detail: string): StoreError {
  return new StoreError(
    'corrupt',
    `the database ${path} is damaged (${detail}); stop the server, restore a backup (copy it over ${path} and ` +
      `delete ${path}-wal and ${path}-shm), or salvage what is readable with 'sqlite3 ${path} .recover'`,
  );
}

/** Whether the disk holding `path` has no room left (an I/O error there is then the full disk: SQLite reports a
 *  failed write of its -shm or -wal file as SQLITE_IOERR_*, not SQLITE_FULL). */
function diskFull(path: string): boolean {
  try {
    const st = statfsSync(dirname(path));
    return st.bavail * st.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/**
 * Turns SQLite's errors about the file itself (disk full, damaged or not a database, read-only) into a
 * StoreError that names the file and the way out; undefined for anything else.
 */
export function storeFault(e: unknown, path: string): StoreError | undefined {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || (code.startsWith('SQLITE_IOERR') && diskFull(path))) {
    if (code === 'SQLITE_FULL' && !diskFull(path)) {
      return new StoreError('disk-full', `the database ${path} is full: it reached its size limit (--max-db-size) — raise the limit or let messages be delivered`);
    }
    return new StoreError('disk-full', `the disk holding ${path} is full — free some space (or move the store with --db) and try again`);
  }
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_') || code === 'SQLITE_NOTADB') {
    return corrupt(path, (e as Error).message);
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new StoreError('io', `cannot write the database ${path} (${(e as Error).message}) — check the path and its permissions, or pass --db`);
  }
  return undefined;
}

/** Creates the parent directories and an empty 0600 file, so SQLite never creates it with the umask's mode. */
function prepareFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** Sets 0600 on the database and its WAL files (SQLite copies the main file's mode, but an older file may be looser). */
function tightenModes(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(p)) continue;
    try {
      chmodSync(p, 0o600);
    } catch (e) {
      // Someone else's file that we may read but not chmod: leave its mode to its owner.
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    }
  }
}

/** Prepares every statement the store uses, once per connection. */
function prepareStatements(db: Database.Database) {
  const p = <R = unknown>(sql: string) => db.prepare<unknown[], R>(sql);
  /** A one-column query whose rows are that column's values (no row objects). */
  const column = <V>(sql: string) => db.prepare<unknown[], V>(sql).pluck();
  /** Prepared per limit by withLimit, not here. */
  const limited = <R = unknown>(sql: string): LimitedSql<R> => ({ sql });
  return {
    insertUser: p('INSERT INTO users (uid, nick, password_md5, created_at) VALUES (?, ?, ?, ?)'),
    getUser: p<UserRow>('SELECT * FROM users WHERE uid = ?'),
    userExists: p<{ one: number }>('SELECT 1 AS one FROM users WHERE uid = ?'),
    listUsers: p<UserRow>('SELECT * FROM users ORDER BY uid'),
    countUsers: p<{ n: number }>('SELECT count(*) AS n FROM users'),
    setPassword: p('UPDATE users SET password_md5 = ? WHERE uid = ?'),
    setNick: p('UPDATE users SET nick = ? WHERE uid = ?'),
    deleteUser: p('DELETE FROM users WHERE uid = ?'),
    countFriends: p<{ n: number }>('SELECT count(*) AS n FROM friends WHERE owner = ?'),
    deleteMessagesOf: p('DELETE FROM messages WHERE sender = @uid OR receiver = @uid'),
    countUndeliveredOf: p<{ n: number }>('SELECT count(*) AS n FROM messages WHERE (sender = @uid OR receiver = @uid) AND delivered_at IS NULL'),
    upsertBan: p('INSERT INTO bans (uid, reason, banned_at) VALUES (?, ?, ?) ON CONFLICT (uid) DO UPDATE SET reason = excluded.reason, banned_at = excluded.banned_at'),
    deleteBan: p('DELETE FROM bans WHERE uid = ?'),
    getBan: p<{ reason: string; banned_at: number }>('SELECT reason, banned_at FROM bans WHERE uid = ?'),
    loginAccount: p<UserRow & { ban_reason: string | null; ban_at: number | null }>(`
      SELECT u.*, b.reason AS ban_reason, b.banned_at AS ban_at FROM users u LEFT JOIN bans b ON b.uid = u.uid WHERE u.uid = ?`),
    addressCount: column<number>('SELECT count(*) FROM login_addresses WHERE uid = ?'),
    // The first gap at or above `from`: either `from` itself or just after a taken uid with a free successor.
    nextFree: p<{ uid: number }>(`
      SELECT @from AS uid WHERE NOT EXISTS (SELECT 1 FROM users WHERE uid = @from)
      UNION ALL
      SELECT * FROM (
        SELECT u.uid + 1 AS uid FROM users u
        WHERE u.uid >= @from AND NOT EXISTS (SELECT 1 FROM users v WHERE v.uid = u.uid + 1)
        ORDER BY u.uid LIMIT 1
      )
      LIMIT 1`),

    upsertFriend: p(`
      INSERT INTO friends (owner, friend, grp, since) VALUES (@owner, @friend, coalesce(@grp, 0), @since)
      ON CONFLICT (owner, friend) DO UPDATE SET grp = coalesce(@grp, grp)`),
    deleteFriend: p('DELETE FROM friends WHERE owner = ? AND friend = ?'),
    isFriend: p<{ one: number }>('SELECT 1 AS one FROM friends WHERE owner = ? AND friend = ?'),
    friendsOf: p<FriendRow>(`
      SELECT u.uid, u.nick, u.face, u.age, u.gender, f.grp
      FROM friends f JOIN users u ON u.uid = f.friend
      WHERE f.owner = ? ORDER BY f.grp, u.uid`),
    friendUids: column<number>('SELECT friend FROM friends WHERE owner = ? ORDER BY friend'),
    moveFriend: p('UPDATE friends SET grp = ? WHERE owner = ? AND friend = ?'),
    regroupFriends: p('UPDATE friends SET grp = 0 WHERE owner = ? AND grp = ?'),

    groupsOf: p<{ idx: number; name: string }>('SELECT idx, name FROM friend_groups WHERE owner = ? ORDER BY idx'),
    groupByName: p<{ idx: number }>('SELECT idx FROM friend_groups WHERE owner = ? AND name = ?'),
    groupExists: p<{ one: number }>('SELECT 1 AS one FROM friend_groups WHERE owner = ? AND idx = ?'),
    // The lowest free index from 1: 1 itself, or just after a used index with a free successor.
    freeGroupIndex: p<{ idx: number }>(`
      SELECT 1 AS idx WHERE NOT EXISTS (SELECT 1 FROM friend_groups WHERE owner = @owner AND idx = 1)
      UNION ALL
      SELECT * FROM (
        SELECT g.idx + 1 AS idx FROM friend_groups g
        WHERE g.owner = @owner AND NOT EXISTS (SELECT 1 FROM friend_groups h WHERE h.owner = @owner AND h.idx = g.idx + 1)
        ORDER BY g.idx LIMIT 1
      )
      LIMIT 1`),
    insertGroup: p('INSERT INTO friend_groups (owner, idx, name) VALUES (?, ?, ?)'),
    renameGroup: p('UPDATE friend_groups SET name = ? WHERE owner = ? AND idx = ?'),
    deleteGroup: p('DELETE FROM friend_groups WHERE owner = ? AND idx = ?'),

    setStrangers: p('UPDATE users SET strangers = ? WHERE uid = ?'),
    knownAddress: p<{ last_at: number }>('SELECT last_at FROM login_addresses WHERE uid = ? AND address = ?'),
    upsertAddress: p(`
      INSERT INTO login_addresses (uid, address, last_at) VALUES (?, ?, ?)
      ON CONFLICT (uid, address) DO UPDATE SET last_at = excluded.last_at`),
    trimAddresses: limited(`
      DELETE FROM login_addresses WHERE uid = @uid AND address NOT IN (
        SELECT address FROM login_addresses WHERE uid = @uid ORDER BY last_at DESC, address LIMIT ?)`),

    insertMessage: p<{ id: number }>(`
      INSERT INTO messages (sender, receiver, sent_at, msg_id, frag_count, frag_index, reply_type, text,
                            font_name, font_size, font_style, font_color, stored_at, stranger, text_bytes, text_charset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      RETURNING id`),
    usage: p<{ stranger: number; n: number; bytes: number }>(`
      SELECT stranger, count(*) AS n, coalesce(sum(coalesce(length(text_bytes), length(CAST(text AS BLOB)))), 0) AS bytes
      FROM messages WHERE receiver = ? AND delivered_at IS NULL AND kind = 0 GROUP BY stranger`),
    // Erasing the text on delivery keeps the row as a tombstone for the duplicate check.
    markDeliveredErase: p(`UPDATE messages SET delivered_at = ?, text = '', text_bytes = NULL, text_charset = NULL, font_name = NULL WHERE id = ? AND delivered_at IS NULL`),
    purge: p('DELETE FROM messages WHERE delivered_at IS NOT NULL AND delivered_at < ?'),
    setServer: p('INSERT OR REPLACE INTO server_info (id, pid, host, started_at) VALUES (1, ?, ?, ?)'),
    clearServer: p('DELETE FROM server_info'),
    getServer: p<{ pid: number; host: string; started_at: number }>('SELECT pid, host, started_at FROM server_info WHERE id = 1'),
    existingMessage: p<{ id: number }>(
      'SELECT id FROM messages WHERE sender = ? AND receiver = ? AND sent_at = ? AND msg_id = ? AND frag_index = ? AND kind = 0',
    ),
    pending: limited<MessageRow>(`${INBOX_SELECT} WHERE m.receiver = ? AND m.delivered_at IS NULL ORDER BY m.id LIMIT ?`),
    pendingCount: p<{ n: number }>('SELECT count(*) AS n FROM messages WHERE receiver = ? AND delivered_at IS NULL'),
    markDelivered: p('UPDATE messages SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL'),
    getMessage: p<MessageRow>(`${INBOX_SELECT} WHERE m.id = ?`),

    setAuthType: p('UPDATE users SET auth_type = ? WHERE uid = ?'),
    setSignature: p('UPDATE users SET signature = ?, signature_at = ? WHERE uid = ?'),
    deleteGroupsOf: p('DELETE FROM friend_groups WHERE owner = ?'),
    regroupMissing: p(`UPDATE friends SET grp = 0 WHERE owner = ? AND grp <> 0
      AND grp NOT IN (SELECT idx FROM friend_groups WHERE owner = friends.owner)`),
    getMemo: p<MemoRow>('SELECT * FROM memos WHERE owner = ? AND friend = ?'),
    memosOf: p<MemoRow>('SELECT * FROM memos WHERE owner = ? ORDER BY friend'),
    upsertMemo: p(`
      INSERT INTO memos (owner, friend, alias, mobile, telephone, address, email, zipcode, note)
      VALUES (@owner, @friend, @alias, @mobile, @telephone, @address, @email, @zipcode, @note)
      ON CONFLICT (owner, friend) DO UPDATE SET alias = excluded.alias, mobile = excluded.mobile, telephone = excluded.telephone,
        address = excluded.address, email = excluded.email, zipcode = excluded.zipcode, note = excluded.note`),
    deleteMemo: p('DELETE FROM memos WHERE owner = ? AND friend = ?'),
    searchUsers: p<UserRow>(`
      SELECT * FROM users WHERE (@uid IS NULL OR uid = @uid) AND (@nick IS NULL OR instr(lower(nick), lower(@nick)) > 0)
      ORDER BY uid LIMIT @limit OFFSET @offset`),
    insertNotice: p<{ id: number }>(`
      INSERT INTO messages (sender, receiver, sent_at, msg_id, frag_count, frag_index, reply_type, text, stored_at, kind, ref, qun)
      VALUES (?, ?, ?, 0, 1, 0, 1, ?, ?, 2, ?, ?) RETURNING id`),
    upsertRequest: p(`
      INSERT INTO friend_requests (requester, target, note, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (requester, target) DO UPDATE SET note = excluded.note, created_at = excluded.created_at`),
    deleteRequest: p('DELETE FROM friend_requests WHERE requester = ? AND target = ?'),
    getRequest: p<{ note: string; created_at: number }>('SELECT note, created_at FROM friend_requests WHERE requester = ? AND target = ?'),

    nextQunId: p<{ id: number }>('SELECT max(coalesce((SELECT max(id) FROM quns), 0) + 1, ?) AS id'),
    countCreated: p<{ n: number }>('SELECT count(*) AS n FROM quns WHERE creator = ?'),
    insertQun: p('INSERT INTO quns (id, name, creator, auth_type, created_at) VALUES (?, ?, ?, ?, ?)'),
    getQun: p<QunRow>('SELECT * FROM quns WHERE id = ?'),
    listQuns: p<QunRow>('SELECT * FROM quns ORDER BY id'),
    qunsOf: p<QunRow>('SELECT q.* FROM quns q JOIN qun_members m ON m.qun = q.id WHERE m.uid = ? ORDER BY q.id'),
    qunIdsOf: column<number>('SELECT qun FROM qun_members WHERE uid = ? ORDER BY qun'),
    qunMembers: p<QunMember & { joined_at: number }>(`
      SELECT m.uid, m.role, u.nick, u.face, u.age, u.gender FROM qun_members m JOIN users u ON u.uid = m.uid
      WHERE m.qun = ? ORDER BY m.role DESC, m.uid`),
    memberUids: p<{ uid: number }>('SELECT uid FROM qun_members WHERE qun = ? ORDER BY uid'),
    isMember: p<{ one: number }>('SELECT 1 AS one FROM qun_members WHERE qun = ? AND uid = ?'),
    upsertMember: p(`
      INSERT INTO qun_members (qun, uid, role, joined_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (qun, uid) DO UPDATE SET role = max(role, excluded.role)`),
    deleteMember: p('DELETE FROM qun_members WHERE qun = ? AND uid = ?'),
    deleteQun: p('DELETE FROM quns WHERE id = ?'),
    updateQun: p(`
      UPDATE quns SET name = coalesce(@name, name), notice = coalesce(@notice, notice), intro = coalesce(@intro, intro),
                      auth_type = coalesce(@auth_type, auth_type) WHERE id = @id`),
    upsertQunRequest: p(`
      INSERT INTO qun_requests (qun, uid, note, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (qun, uid) DO UPDATE SET note = excluded.note, created_at = excluded.created_at`),
    deleteQunRequest: p('DELETE FROM qun_requests WHERE qun = ? AND uid = ?'),
    getQunRequest: p<{ note: string }>('SELECT note FROM qun_requests WHERE qun = ? AND uid = ?'),
    existingQunMessage: p<{ id: number }>(
      'SELECT id FROM qun_messages WHERE qun = ? AND sender = ? AND sent_at = ? AND msg_id = ? AND frag_index = ?',
    ),
    insertQunMessage: p<{ id: number }>(`
      INSERT INTO qun_messages (qun, sender, sent_at, msg_id, frag_count, frag_index, text, font_name, font_size, font_style,
                                font_color, stored_at, text_bytes, text_charset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    insertQunInbox: p<{ id: number }>(`
      INSERT INTO messages (sender, receiver, sent_at, msg_id, frag_count, frag_index, reply_type, text, stored_at, kind, ref, qun)
      VALUES (?, ?, ?, ?, ?, ?, 1, '', ?, 1, ?, ?) RETURNING id`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** SQL ending in `LIMIT ?`, prepared once per limit (see SqliteStore.withLimit); R is its row. */
interface LimitedSql<R> {
  sql: string;
  /** Only carries the row type. */
  row?: R;
}

class SqliteStore implements Store {
  private readonly s: Statements;
  private readonly storeBatch: Database.Transaction<(msgs: NewMessage[], delivered: readonly number[]) => { id: number; duplicate: boolean }[]>;
  private readonly addFriendTx: (a: number, b: number, ga: number | undefined, gb: number | undefined) => void;
  private readonly removeFriendTx: (a: number, b: number) => boolean;
  private readonly removeGroupTx: (uid: number, index: number) => void;
  private readonly addGroupTx: Database.Transaction<(uid: number, name: string) => number>;
  private readonly setGroupsTx: Database.Transaction<(uid: number, groups: readonly FriendGroup[]) => void>;
  private readonly moveFriendsTx: Database.Transaction<(uid: number, moves: readonly { friend: number; group: number }[]) => number>;
  private readonly addNextUserTx: Database.Transaction<(from: number, md5: Buffer, nick: string | undefined) => number>;
  private readonly deleteUserTx: Database.Transaction<(uid: number) => DeletedUser>;

  private readonly mark: Statements['markDelivered'];
  /** Statements prepared by withLimit: by template, then limit (no key string built and hashed per call). */
  private readonly limited = new Map<LimitedSql<unknown>, Map<number, Database.Statement<unknown[], unknown>>>();
  private limitedCount = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
    private readonly path: string,
    private readonly keepDeliveredDays: number,
    /** The WAL's checkpoints in a worker thread, when the opener asked for them. */
    readonly checkpointer?: WalCheckpointer,
  ) {
    this.s = prepareStatements(db);
    this.mark = keepDeliveredDays > 0 ? this.s.markDelivered : this.s.markDeliveredErase;

    this.storeBatch = db.transaction((msgs: NewMessage[], delivered: readonly number[]) => {
      const at = this.now();
      for (const id of delivered) this.mark.run(at, id);
      return msgs.map((m) => {
        const f = m.font;
        const style = f ? styleBits(f) >>> STYLE_SHIFT : null;
        // Looked up first (not ON CONFLICT) so a duplicate does not use up an AUTOINCREMENT id.
        const old = this.s.existingMessage.get(m.sender, m.receiver, m.sentAt, m.msgId, m.fragIndex);
        if (old) return { id: old.id, duplicate: true };
        const row = this.s.insertMessage.get(
          m.sender, m.receiver, m.sentAt, m.msgId, m.fragCount, m.fragIndex, m.replyType, m.text,
          f ? f.name : null, f ? f.size : null, style, f ? f.color : null, at, m.stranger ? 1 : 0,
          m.raw ? m.raw.bytes : null, m.raw ? m.raw.charset : null,
        );
        return { id: row!.id, duplicate: false };
      });
    });

    this.addFriendTx = db.transaction((a: number, b: number, ga: number | undefined, gb: number | undefined) => {
      const at = this.now();
      this.s.upsertFriend.run({ owner: a, friend: b, grp: ga ?? null, since: at });
      this.s.upsertFriend.run({ owner: b, friend: a, grp: gb ?? null, since: at });
    });

    this.removeFriendTx = db.transaction((a: number, b: number) => {
      const n = this.s.deleteFriend.run(a, b).changes + this.s.deleteFriend.run(b, a).changes;
      return n > 0;
    });

    this.removeGroupTx = db.transaction((uid: number, index: number) => {
      this.s.regroupFriends.run(uid, index);
      this.s.deleteGroup.run(uid, index);
    });

    this.addNextUserTx = db.transaction((from: number, md5: Buffer, nick: string | undefined) => {
      const uid = this.nextFreeUid(from);
      this.s.insertUser.run(uid, nick ?? String(uid), md5, this.now());
      return uid;
    });

    this.deleteUserTx = db.transaction((uid: number) => {
      // Friend rows and groups go by ON DELETE CASCADE; messages carry no foreign key, so they go here.
      const friends = this.s.countFriends.get(uid)!.n;
      const undelivered = this.s.countUndeliveredOf.get({ uid })!.n;
      const messages = this.s.deleteMessagesOf.run({ uid }).changes;
      this.s.deleteUser.run(uid);
      return { uid, friends, messages, undelivered };
    });

    this.setGroupsTx = db.transaction((uid: number, groups: readonly FriendGroup[]) => {
      this.s.deleteGroupsOf.run(uid);
      for (const g of groups) this.s.insertGroup.run(uid, g.index, g.name);
      this.s.regroupMissing.run(uid);
    });

    this.moveFriendsTx = db.transaction((uid: number, moves: readonly { friend: number; group: number }[]) => {
      for (const m of moves) this.requireGroup(uid, m.group);
      let n = 0;
      for (const m of moves) if (this.s.isFriend.get(uid, m.friend)) n += this.s.moveFriend.run(m.group, uid, m.friend).changes;
      return n;
    });

    this.addGroupTx = db.transaction((uid: number, name: string) => {
      const existing = this.s.groupByName.get(uid, name);
      if (existing) return existing.idx;
      const free = this.s.freeGroupIndex.get({ owner: uid });
      if (!free || free.idx > MAX_GROUP_INDEX) {
        throw new StoreError('groups-full', `user ${uid} already has ${MAX_GROUP_INDEX} friend groups, the most there can be`, uid);
      }
      this.s.insertGroup.run(uid, free.idx, name);
      return free.idx;
    });
  }

  private requireUser(uid: number, what = 'uid'): void {
    checkUid(uid, what);
    if (!this.s.userExists.get(uid)) throw new StoreError('unknown-user', `user ${uid} does not exist`, uid);
  }

  /** Validates a group index of an owner: 0 always exists, others need their row. */
  private requireGroup(uid: number, index: number): void {
    checkInt(index, 0, MAX_GROUP_INDEX, 'group index');
    if (index !== 0 && !this.s.groupExists.get(uid, index)) {
      throw new StoreError('unknown-group', `user ${uid} has no friend group ${index}`, uid);
    }
  }

  addUser(uid: number, passwordMd5: Buffer, nick: string): Account {
    checkUid(uid);
    checkPasswordMd5(passwordMd5);
    const name = checkName(nick, 'nick');
    const taken = () => new StoreError('duplicate-user', `user ${uid} already exists`, uid);
    if (this.s.userExists.get(uid)) throw taken();
    try {
      this.s.insertUser.run(uid, name, Buffer.from(passwordMd5), this.now());
    } catch (e) {
      // Another process took the uid between the check and the insert.
      if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw taken();
      throw e;
    }
    return this.getUser(uid)!;
  }

  getUser(uid: number): Account | undefined {
    // A lookup answers "no such user" for any number, so a login with uid 0 is simply unknown.
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) return undefined;
    const r = this.s.getUser.get(uid);
    return r ? toAccount(r) : undefined;
  }

  listUsers(): Account[] {
    return this.s.listUsers.all().map(toAccount);
  }

  countUsers(): number {
    return this.s.countUsers.get()!.n;
  }

  ban(uid: number, reason: string): void {
    this.requireUser(uid);
    this.s.upsertBan.run(uid, checkName(reason, 'ban reason'), this.now());
  }

  unban(uid: number): boolean {
    this.requireUser(uid);
    return this.s.deleteBan.run(uid).changes > 0;
  }

  banOf(uid: number): Ban | undefined {
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) return undefined;
    const r = this.s.getBan.get(uid);
    return r ? { reason: r.reason, bannedAt: r.banned_at } : undefined;
  }

  loginAccount(uid: number): { account: Account; ban?: Ban } | undefined {
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) return undefined;
    const r = this.s.loginAccount.get(uid);
    if (!r) return undefined;
    const account = toAccount(r);
    return r.ban_reason === null ? { account } : { account, ban: { reason: r.ban_reason, bannedAt: r.ban_at! } };
  }

  setPassword(uid: number, passwordMd5: Buffer): void {
    this.requireUser(uid);
    checkPasswordMd5(passwordMd5);
    this.s.setPassword.run(Buffer.from(passwordMd5), uid);
  }

  setNick(uid: number, nick: string): void {
    this.requireUser(uid);
    this.s.setNick.run(checkName(nick, 'nick'), uid);
  }

  nextFreeUid(from: number): number {
    checkUid(from, 'first uid');
    const r = this.s.nextFree.get({ from });
    if (!r || r.uid > MAX_UID) throw new StoreError('bad-input', `no free uid at or above ${from}`);
    return r.uid;
  }

  setStrangerPolicy(uid: number, policy: StrangerPolicy): void {
    this.requireUser(uid);
    if (policy !== 'accept' && policy !== 'friends-only') throw new StoreError('bad-input', `strangers must be accept or friends-only, got ${String(policy)}`);
    this.s.setStrangers.run(policy === 'friends-only' ? 1 : 0, uid);
  }

  isKnownAddress(uid: number, address: string): boolean {
    return this.s.knownAddress.get(uid, address) !== undefined;
  }

  rememberAddress(uid: number, address: string, keep: number): void {
    this.rememberAddresses([{ uid, address }], keep);
  }

  rememberAddresses(logins: readonly KnownLogin[], keep: number): void {
    checkInt(keep, 0, Number.MAX_SAFE_INTEGER, 'keep');
    const at = this.now();
    const trim = this.withLimit(this.s.trimAddresses, keep);
    // One transaction for the batch, reads included: a read on its own is a transaction of its own, with two file
    // lock calls. It writes nothing (and its commit costs nothing) when every address is fresh.
    this.db.transaction(() => {
      for (const { uid, address } of logins) {
        // Refreshed at most hourly: a login is not worth a write when nothing changes.
        const row = this.s.knownAddress.get(uid, address);
        if (row && at - row.last_at < 3600) continue;
        this.s.upsertAddress.run(uid, address, at);
        // Most users have fewer than `keep` addresses: counting them is a sixth of the trim's cost.
        if (this.s.addressCount.get(uid)! > keep) trim.run({ uid });
      }
    })();
  }

  /**
   * A LIMIT query with its limit written into the SQL (one prepared statement per limit, kept). A bound LIMIT
   * parameter makes SQLite prepare the statement again at every run (its planner reads the limit's value): for
   * the inbox query that is 40 µs instead of 5.
   */
  private withLimit<R>(template: LimitedSql<R>, limit: number): Database.Statement<unknown[], R> {
    // Looked up for every login (the inbox): by the template object and the number, where a key string of the
    // whole SQL was built and hashed per call.
    let byLimit = this.limited.get(template);
    let st = byLimit?.get(limit) as Database.Statement<unknown[], R> | undefined;
    if (!st) {
      // A handful of limits exist (the server's settings); many different ones would only be tests.
      if (this.limitedCount >= 64) {
        this.limited.clear();
        this.limitedCount = 0;
        byLimit = undefined;
      }
      if (!byLimit) this.limited.set(template, (byLimit = new Map()));
      st = this.db.prepare<unknown[], R>(template.sql.replace('LIMIT ?', `LIMIT ${limit}`));
      byLimit.set(limit, st);
      this.limitedCount++;
    }
    return st;
  }

  addNextUser(from: number, passwordMd5: Buffer, nick?: string): Account {
    checkUid(from, 'first uid');
    checkPasswordMd5(passwordMd5);
    const name = nick === undefined ? undefined : checkName(nick, 'nick');
    // IMMEDIATE: the write lock is taken before the free uid is looked up, so no other process takes it in between.
    const uid = this.addNextUserTx.immediate(from, Buffer.from(passwordMd5), name);
    return this.getUser(uid)!;
  }

  deleteUser(uid: number): DeletedUser {
    this.requireUser(uid);
    return this.deleteUserTx.immediate(uid);
  }

  addFriend(a: number, b: number, groupOfBForA?: number, groupOfAForB?: number): void {
    this.requireUser(a);
    this.requireUser(b);
    if (a === b) throw new StoreError('self-friend', `user ${a} cannot be their own friend`, a);
    if (groupOfBForA !== undefined) this.requireGroup(a, groupOfBForA);
    if (groupOfAForB !== undefined) this.requireGroup(b, groupOfAForB);
    this.addFriendTx(a, b, groupOfBForA, groupOfAForB);
  }

  removeFriend(a: number, b: number): boolean {
    this.requireUser(a);
    this.requireUser(b);
    return this.removeFriendTx(a, b);
  }

  friendsOf(uid: number): Friend[] {
    this.requireUser(uid);
    return this.s.friendsOf.all(uid).map((r) => ({
      uid: r.uid,
      nick: r.nick,
      face: r.face,
      age: r.age,
      gender: r.gender,
      group: r.grp,
    }));
  }

  friendUids(uid: number): number[] {
    return this.s.friendUids.all(uid);
  }

  areFriends(a: number, b: number): boolean {
    return this.s.isFriend.get(a, b) !== undefined;
  }

  groupsOf(uid: number): FriendGroup[] {
    this.requireUser(uid);
    const rows = this.s.groupsOf.all(uid).map((r) => ({ index: r.idx, name: r.name }));
    return [{ index: 0, name: DEFAULT_GROUP_NAME }, ...rows];
  }

  addGroup(uid: number, name: string): number {
    this.requireUser(uid);
    const n = checkName(name, 'group name');
    if (n === DEFAULT_GROUP_NAME) return 0;
    return this.addGroupTx.immediate(uid, n);
  }

  renameGroup(uid: number, index: number, name: string): void {
    this.requireUser(uid);
    const n = checkName(name, 'group name');
    if (index === 0) throw new StoreError('bad-input', `group 0 "${DEFAULT_GROUP_NAME}" is built in and cannot be renamed`, uid);
    this.requireGroup(uid, index);
    const other = n === DEFAULT_GROUP_NAME ? 0 : this.s.groupByName.get(uid, n)?.idx;
    if (other === index) return;
    if (other !== undefined) {
      throw new StoreError('duplicate-group', `user ${uid} already has a friend group named "${n}" (index ${other})`, uid);
    }
    this.s.renameGroup.run(n, uid, index);
  }

  removeGroup(uid: number, index: number): void {
    this.requireUser(uid);
    if (index === 0) throw new StoreError('bad-input', `group 0 "${DEFAULT_GROUP_NAME}" is built in and cannot be removed`, uid);
    this.requireGroup(uid, index);
    this.removeGroupTx(uid, index);
  }

  moveFriend(owner: number, friend: number, index: number): void {
    this.requireUser(owner);
    this.requireUser(friend);
    this.requireGroup(owner, index);
    if (!this.s.isFriend.get(owner, friend)) {
      throw new StoreError('not-friends', `user ${friend} is not a friend of user ${owner}`, owner);
    }
    this.s.moveFriend.run(index, owner, friend);
  }

  storeMessages(msgs: NewMessage[], delivered: readonly number[] = []): { id: number; duplicate: boolean }[] {
    // Validate the whole batch first: a bad message must not leave half a batch behind.
    for (const m of msgs) checkMessage(m);
    for (const id of delivered) checkInt(id, 1, Number.MAX_SAFE_INTEGER, 'message id');
    if (msgs.length === 0 && delivered.length === 0) return [];
    // IMMEDIATE: take the write lock before the duplicate lookup, so no other process inserts in between.
    try {
      return this.storeBatch.immediate(msgs, delivered);
    } catch (e) {
      throw storeFault(e, this.path) ?? e;
    }
  }

  pendingFor(receiver: number, limit?: number): StoredMessage[] {
    checkUid(receiver, 'receiver');
    if (limit !== undefined) checkInt(limit, 0, Number.MAX_SAFE_INTEGER, 'limit');
    // LIMIT -1 is SQLite's "no limit".
    return this.withLimit(this.s.pending, limit ?? -1).all(receiver).map(toMessage);
  }

  pendingCount(receiver: number): number {
    checkUid(receiver, 'receiver');
    return this.s.pendingCount.get(receiver)!.n;
  }

  mailboxUsage(receiver: number): MailboxUsage {
    const u: MailboxUsage = { friends: { count: 0, bytes: 0 }, strangers: { count: 0, bytes: 0 } };
    for (const r of this.s.usage.all(receiver)) {
      const side = r.stranger ? u.strangers : u.friends;
      side.count += r.n;
      side.bytes += r.bytes;
    }
    return u;
  }

  markDelivered(id: number): void {
    checkInt(id, 1, Number.MAX_SAFE_INTEGER, 'message id');
    // Unknown or already delivered ids change nothing: a receiver may ack twice.
    this.mark.run(this.now(), id);
  }

  purgeDelivered(): number {
    const keep = Math.max(this.keepDeliveredDays * 86_400, DEDUP_TOMBSTONE_SECONDS);
    return this.s.purge.run(this.now() - keep).changes;
  }

  setServerInfo(info: ServerInfo | undefined): void {
    if (info) this.s.setServer.run(info.pid, info.host, info.startedAt);
    else this.s.clearServer.run();
  }

  serverInfo(): ServerInfo | undefined {
    const r = this.s.getServer.get();
    return r ? { pid: r.pid, host: r.host, startedAt: r.started_at } : undefined;
  }

  check(mode: 'quick' | 'full'): string[] {
    return integrityProblems(this.db, mode);
  }

  freeDiskBytes(): number | undefined {
    if (this.path === ':memory:') return undefined;
    const st = statfsSync(dirname(this.path));
    return st.bavail * st.bsize;
  }

  async backup(file: string): Promise<void> {
    // Created empty and 0600 first (SQLite would use the umask), and never over an existing file.
    closeSync(openSync(file, 'wx', 0o600));
    try {
      await this.db.backup(file);
    } catch (e) {
      throw storeFault(e, file) ?? e;
    }
  }

  getMessage(id: number): StoredMessage | undefined {
    checkInt(id, 1, Number.MAX_SAFE_INTEGER, 'message id');
    const r = this.s.getMessage.get(id);
    return r ? toMessage(r) : undefined;
  }

  setAuthType(uid: number, authType: number): void {
    this.requireUser(uid);
    checkInt(authType, 0, 2, 'auth type');
    this.s.setAuthType.run(authType, uid);
  }

  setSignature(uid: number, text: string): void {
    this.requireUser(uid);
    if (typeof text !== 'string' || [...text].length > 255) throw new StoreError('bad-input', 'a signature is at most 255 characters');
    this.s.setSignature.run(text, text === '' ? 0 : this.now(), uid);
  }

  setGroups(owner: number, groups: readonly FriendGroup[]): void {
    this.requireUser(owner);
    this.setGroupsTx.immediate(owner, checkGroupList(owner, groups));
  }

  moveFriends(owner: number, moves: readonly { friend: number; group: number }[]): number {
    this.requireUser(owner);
    for (const m of moves) checkUid(m.friend, 'friend');
    return this.moveFriendsTx.immediate(owner, moves);
  }

  memoOf(owner: number, friend: number): Memo | undefined {
    const r = this.s.getMemo.get(owner, friend);
    return r ? toMemo(r) : undefined;
  }

  memosOf(owner: number): { friend: number; memo: Memo }[] {
    return this.s.memosOf.all(owner).map((r) => ({ friend: r.friend, memo: toMemo(r) }));
  }

  setMemo(owner: number, friend: number, memo: Memo | undefined): void {
    this.requireUser(owner);
    this.requireUser(friend, 'friend');
    if (!memo) {
      this.s.deleteMemo.run(owner, friend);
      return;
    }
    checkMemo(owner, memo);
    this.s.upsertMemo.run({ owner, friend, ...memo });
  }

  searchUsers(q: { uid?: number; nick?: string }, limit: number, offset = 0): Account[] {
    checkInt(limit, 0, 10_000, 'limit');
    checkInt(offset, 0, Number.MAX_SAFE_INTEGER, 'offset');
    if (q.uid === undefined && !q.nick) return [];
    return this.s.searchUsers.all({ uid: q.uid ?? null, nick: q.nick || null, limit, offset }).map(toAccount);
  }

  /** Inserts system messages inside the caller's transaction; returns them as inbox entries. */
  private insertNotices(notices: readonly NewNotice[], at: number): StoredMessage[] {
    return notices.map((n) => {
      const id = this.s.insertNotice.get(n.sender, n.receiver, at, n.text, at, n.code, n.qun ?? null)!.id;
      return noticeMessage(id, n, at);
    });
  }

  friendChange(ch: FriendChange): StoredMessage[] {
    checkFriendChange(ch, (uid, what) => this.requireUser(uid, what));
    return this.db.transaction(() => {
      const at = this.now();
      if (ch.befriend) this.addFriendTx(ch.befriend[0], ch.befriend[1], undefined, undefined);
      if (ch.unfriend) this.removeFriendTx(ch.unfriend[0], ch.unfriend[1]);
      if (ch.request) this.s.upsertRequest.run(ch.request.from, ch.request.to, ch.request.note, at);
      if (ch.dropRequest) this.s.deleteRequest.run(ch.dropRequest.from, ch.dropRequest.to);
      return this.insertNotices(ch.notices, at);
    }).immediate();
  }

  friendRequest(from: number, to: number): { note: string; createdAt: number } | undefined {
    const r = this.s.getRequest.get(from, to);
    return r ? { note: r.note, createdAt: r.created_at } : undefined;
  }

  createQun(creator: number, name: string, authType: number, maxQunsPerUser: number): Qun {
    this.requireUser(creator, 'creator');
    const n = checkName(name, 'Qun name');
    checkInt(authType, 1, 3, 'Qun auth type');
    return this.db.transaction(() => {
      if (this.s.countCreated.get(creator)!.n >= maxQunsPerUser) {
        throw new StoreError('quns-full', `user ${creator} already created ${maxQunsPerUser} Qun, the most allowed`, creator);
      }
      const id = this.s.nextQunId.get(FIRST_QUN_ID)!.id;
      if (id > MAX_UID) throw new StoreError('bad-input', 'no Qun number left');
      const at = this.now();
      this.s.insertQun.run(id, n, creator, authType, at);
      this.s.upsertMember.run(id, creator, 1, at);
      return toQun(this.s.getQun.get(id)!);
    }).immediate();
  }

  getQun(id: number): Qun | undefined {
    if (!Number.isInteger(id) || id < 1 || id > MAX_UID) return undefined;
    const r = this.s.getQun.get(id);
    return r ? toQun(r) : undefined;
  }

  listQuns(): Qun[] {
    return this.s.listQuns.all().map(toQun);
  }

  qunsOf(uid: number): Qun[] {
    checkUid(uid);
    return this.s.qunsOf.all(uid).map(toQun);
  }

  qunIdsOf(uid: number): number[] {
    checkUid(uid);
    return this.s.qunIdsOf.all(uid);
  }

  private requireQun(id: number): void {
    if (!this.getQun(id)) throw new StoreError('unknown-qun', `Qun ${id} does not exist`);
  }

  qunMembers(id: number): QunMember[] {
    this.requireQun(id);
    return this.s.qunMembers.all(id).map((r) => ({ uid: r.uid, role: r.role, nick: r.nick, face: r.face, age: r.age, gender: r.gender }));
  }

  isQunMember(id: number, uid: number): boolean {
    return this.s.isMember.get(id, uid) !== undefined;
  }

  qunChange(ch: QunChange): StoredMessage[] {
    this.requireQun(ch.qun);
    checkNotices(ch.notices, (uid, what) => this.requireUser(uid, what));
    if (ch.join) this.requireUser(ch.join.uid);
    if (ch.info?.name !== undefined) ch.info.name = checkName(ch.info.name, 'Qun name');
    if (ch.info?.authType !== undefined) checkInt(ch.info.authType, 1, 3, 'Qun auth type');
    return this.db.transaction(() => {
      const at = this.now();
      if (ch.join) this.s.upsertMember.run(ch.qun, ch.join.uid, ch.join.role, at);
      if (ch.leave !== undefined) this.s.deleteMember.run(ch.qun, ch.leave);
      if (ch.info) {
        const i = ch.info;
        this.s.updateQun.run({ id: ch.qun, name: i.name ?? null, notice: i.notice ?? null, intro: i.intro ?? null, auth_type: i.authType ?? null });
      }
      if (ch.request) this.s.upsertQunRequest.run(ch.qun, ch.request.uid, ch.request.note, at);
      if (ch.dropRequest !== undefined) this.s.deleteQunRequest.run(ch.qun, ch.dropRequest);
      const out = this.insertNotices(ch.notices, at);
      if (ch.dismiss) this.s.deleteQun.run(ch.qun);
      return out;
    }).immediate();
  }

  qunRequest(qun: number, uid: number): { note: string } | undefined {
    return this.s.getQunRequest.get(qun, uid);
  }

  storeQunMessage(m: NewQunMessage): { id: number; duplicate: boolean; inbox: StoredMessage[] } {
    checkQunMessage(m);
    return this.db.transaction(() => {
      const old = this.s.existingQunMessage.get(m.qun, m.sender, m.sentAt, m.msgId, m.fragIndex);
      if (old) return { id: old.id, duplicate: true, inbox: [] };
      const at = this.now();
      const f = m.font;
      const style = f ? styleBits(f) >>> STYLE_SHIFT : null;
      const id = this.s.insertQunMessage.get(
        m.qun, m.sender, m.sentAt, m.msgId, m.fragCount, m.fragIndex, m.text, f ? f.name : null, f ? f.size : null, style, f ? f.color : null, at,
        m.raw ? m.raw.bytes : null, m.raw ? m.raw.charset : null,
      )!.id;
      const inbox: StoredMessage[] = [];
      for (const { uid } of this.s.memberUids.all(m.qun)) {
        if (uid === m.sender) continue;
        const rid = this.s.insertQunInbox.get(m.sender, uid, m.sentAt, m.msgId, m.fragCount, m.fragIndex, at, id, m.qun)!.id;
        inbox.push(qunInboxEntry(m, rid, uid));
      }
      return { id, duplicate: false, inbox };
    }).immediate();
  }

  close(): void {
    this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
