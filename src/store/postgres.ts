// The cluster's Store: PostgreSQL through a synchronous libpq connection (pg-sync.ts), the same contract as the
// SQLite store (the store tests run against both). Shared by every node, so whatever picks a free number (uid,
// Qun id, group index) takes an advisory lock first, and a duplicate send is caught by the unique index.
import type {
  Account, Ban, DeletedUser, Friend, FriendChange, FriendGroup, MailboxUsage, Memo, NewMessage, NewNotice, NewQunMessage, Qun, QunChange,
  QunMember, ServerInfo, Store, StoredMessage, StrangerPolicy, KnownLogin,
} from './store.js';
import { PgConnection, PgError, redact, type PgParam, type PgRow } from './pg-sync.js';
import { migratePg } from './pg-schema.js';
import { INBOX_SELECT } from './inbox-sql.js';
import { FIRST_QUN_ID, STYLE_SHIFT, qunInboxEntry, toAccount, toMemo, toMessage, toQun, type MemoRow, type MessageRow, type QunRow, type UserRow } from './rows.js';
import { styleBits } from '../protocol/text.js';
import { DEFAULT_GROUP_NAME, MAX_GROUP_INDEX, MAX_UID, StoreError, checkInt, checkMessage, checkQunMessage, checkName, checkPasswordMd5, checkUid, checkGroupList, checkMemo, checkFriendChange, checkNotices, noticeMessage } from './validate.js';
import { DEDUP_TOMBSTONE_SECONDS } from './sqlite.js';

/** Options of openPostgresStore. */
export interface PostgresStoreOptions {
  /** Clock in Unix seconds (tests pin it). */
  now?: () => number;
  /** Days a delivered message is kept (0: its text is erased at delivery, as with SQLite). */
  keepDeliveredDays?: number;
}

/** Whether a --store value names a PostgreSQL database. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//.test(s);
}

/** Connects to the database at `url` and applies the missing migrations. */
export function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): PostgresStore {
  const db = new PgConnection(url);
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  try {
    migratePg(db, now());
  } catch (e) {
    db.close();
    throw e instanceof PgError ? new StoreError('io', `PostgreSQL at ${redact(url)}: ${e.message}`) : e;
  }
  return new PostgresStore(db, now, opts.keepDeliveredDays ?? 0);
}

// Advisory lock keys: picking a free uid, Qun id or group index is serialised across nodes.
const LOCK_UID = 0x01c0_0010;
const LOCK_QUN = 0x01c0_0011;

const n = (r: PgRow | undefined, k: string): number => Number(r?.[k] ?? 0);

/** The PostgreSQL Store. Also the cluster's source of login epochs and undelivered rows (cluster/). */
export class PostgresStore implements Store {
  constructor(
    readonly db: PgConnection,
    private readonly now: () => number,
    private readonly keepDeliveredDays: number,
  ) {}

  private q(sql: string, params: readonly PgParam[] = []): PgRow[] {
    return this.db.query(sql, params);
  }

  private one(sql: string, params: readonly PgParam[] = []): PgRow | undefined {
    return this.db.get(sql, params);
  }

  private requireUser(uid: number, what = 'uid'): void {
    checkUid(uid, what);
    if (!this.one('SELECT 1 AS one FROM users WHERE uid = $1', [uid])) throw new StoreError('unknown-user', `user ${uid} does not exist`, uid);
  }

  private requireGroup(uid: number, index: number): void {
    checkInt(index, 0, MAX_GROUP_INDEX, 'group index');
    if (index !== 0 && !this.one('SELECT 1 AS one FROM friend_groups WHERE owner = $1 AND idx = $2', [uid, index])) {
      throw new StoreError('unknown-group', `user ${uid} has no friend group ${index}`, uid);
    }
  }

  addUser(uid: number, passwordMd5: Buffer, nick: string): Account {
    checkUid(uid);
    checkPasswordMd5(passwordMd5);
    const name = checkName(nick, 'nick');
    const r = this.q('INSERT INTO users (uid, nick, password_md5, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (uid) DO NOTHING RETURNING uid', [
      uid, name, passwordMd5, this.now(),
    ]);
    if (r.length === 0) throw new StoreError('duplicate-user', `user ${uid} already exists`, uid);
    return this.getUser(uid)!;
  }

  getUser(uid: number): Account | undefined {
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) return undefined;
    const r = this.one('SELECT * FROM users WHERE uid = $1', [uid]);
    return r ? toAccount(r as unknown as UserRow) : undefined;
  }

  listUsers(): Account[] {
    return this.q('SELECT * FROM users ORDER BY uid').map((r) => toAccount(r as unknown as UserRow));
  }

  countUsers(): number {
    return n(this.one('SELECT count(*) AS n FROM users'), 'n');
  }

  setPassword(uid: number, passwordMd5: Buffer): void {
    this.requireUser(uid);
    checkPasswordMd5(passwordMd5);
    this.q('UPDATE users SET password_md5 = $1 WHERE uid = $2', [passwordMd5, uid]);
  }

  setNick(uid: number, nick: string): void {
    this.requireUser(uid);
    this.q('UPDATE users SET nick = $1 WHERE uid = $2', [checkName(nick, 'nick'), uid]);
  }

  ban(uid: number, reason: string): void {
    this.requireUser(uid);
    this.q(
      'INSERT INTO bans (uid, reason, banned_at) VALUES ($1, $2, $3) ON CONFLICT (uid) DO UPDATE SET reason = excluded.reason, banned_at = excluded.banned_at',
      [uid, checkName(reason, 'ban reason'), this.now()],
    );
  }

  unban(uid: number): boolean {
    this.requireUser(uid);
    return this.q('DELETE FROM bans WHERE uid = $1 RETURNING uid', [uid]).length > 0;
  }

  banOf(uid: number): Ban | undefined {
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) return undefined;
    const r = this.one('SELECT reason, banned_at FROM bans WHERE uid = $1', [uid]);
    return r ? { reason: String(r['reason']), bannedAt: n(r, 'banned_at') } : undefined;
  }

  loginAccount(uid: number): { account: Account; ban?: Ban } | undefined {
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) return undefined;
    const r = this.one('SELECT u.*, b.reason AS ban_reason, b.banned_at AS ban_at FROM users u LEFT JOIN bans b ON b.uid = u.uid WHERE u.uid = $1', [uid]);
    if (!r) return undefined;
    const account = toAccount(r as unknown as UserRow);
    return r['ban_reason'] === null ? { account } : { account, ban: { reason: String(r['ban_reason']), bannedAt: n(r, 'ban_at') } };
  }

  nextFreeUid(from: number): number {
    checkUid(from, 'first uid');
    const r = this.one(
      `SELECT $1::bigint AS uid WHERE NOT EXISTS (SELECT 1 FROM users WHERE uid = $1)
       UNION ALL
       SELECT * FROM (SELECT u.uid + 1 AS uid FROM users u
                      WHERE u.uid >= $1 AND NOT EXISTS (SELECT 1 FROM users v WHERE v.uid = u.uid + 1)
                      ORDER BY u.uid LIMIT 1) gap
       LIMIT 1`,
      [from],
    );
    if (!r || n(r, 'uid') > MAX_UID) throw new StoreError('bad-input', `no free uid at or above ${from}`);
    return n(r, 'uid');
  }

  setStrangerPolicy(uid: number, policy: StrangerPolicy): void {
    this.requireUser(uid);
    if (policy !== 'accept' && policy !== 'friends-only') throw new StoreError('bad-input', `strangers must be accept or friends-only, got ${String(policy)}`);
    this.q('UPDATE users SET strangers = $1 WHERE uid = $2', [policy === 'friends-only' ? 1 : 0, uid]);
  }

  isKnownAddress(uid: number, address: string): boolean {
    return this.one('SELECT 1 AS one FROM login_addresses WHERE uid = $1 AND address = $2', [uid, address]) !== undefined;
  }

  rememberAddress(uid: number, address: string, keep: number): void {
    this.rememberAddresses([{ uid, address }], keep);
  }

  rememberAddresses(logins: readonly KnownLogin[], keep: number): void {
    const at = this.now();
    // Refreshed at most hourly: a login is not worth a commit when nothing changes.
    const stale = logins.filter(({ uid, address }) => {
      const row = this.one('SELECT last_at FROM login_addresses WHERE uid = $1 AND address = $2', [uid, address]);
      return !row || at - n(row, 'last_at') >= 3600;
    });
    if (stale.length === 0) return;
    this.db.tx(() => {
      for (const { uid, address } of stale) {
        this.q('INSERT INTO login_addresses (uid, address, last_at) VALUES ($1, $2, $3) ON CONFLICT (uid, address) DO UPDATE SET last_at = excluded.last_at', [
          uid, address, at,
        ]);
        this.q(
          `DELETE FROM login_addresses WHERE uid = $1 AND address NOT IN (
             SELECT address FROM login_addresses WHERE uid = $1 ORDER BY last_at DESC, address LIMIT $2)`,
          [uid, keep],
        );
      }
    });
  }

  addNextUser(from: number, passwordMd5: Buffer, nick?: string): Account {
    checkUid(from, 'first uid');
    checkPasswordMd5(passwordMd5);
    const name = nick === undefined ? undefined : checkName(nick, 'nick');
    const uid = this.db.tx(() => {
      this.q('SELECT pg_advisory_xact_lock($1)', [LOCK_UID]);
      const uid = this.nextFreeUid(from);
      this.q('INSERT INTO users (uid, nick, password_md5, created_at) VALUES ($1, $2, $3, $4)', [uid, name ?? String(uid), passwordMd5, this.now()]);
      return uid;
    });
    return this.getUser(uid)!;
  }

  deleteUser(uid: number): DeletedUser {
    this.requireUser(uid);
    return this.db.tx(() => {
      const friends = n(this.one('SELECT count(*) AS n FROM friends WHERE owner = $1', [uid]), 'n');
      const undelivered = n(this.one('SELECT count(*) AS n FROM messages WHERE (sender = $1 OR receiver = $1) AND delivered_at IS NULL', [uid]), 'n');
      const messages = this.q('DELETE FROM messages WHERE sender = $1 OR receiver = $1 RETURNING id', [uid]).length;
      this.q('DELETE FROM users WHERE uid = $1', [uid]);
      return { uid, friends, messages, undelivered };
    });
  }

  private upsertFriend(owner: number, friend: number, grp: number | undefined, at: number): void {
    this.q(
      `INSERT INTO friends (owner, friend, grp, since) VALUES ($1, $2, coalesce($3::int, 0), $4)
       ON CONFLICT (owner, friend) DO UPDATE SET grp = coalesce($3::int, friends.grp)`,
      [owner, friend, grp ?? null, at],
    );
  }

  addFriend(a: number, b: number, groupOfBForA?: number, groupOfAForB?: number): void {
    this.requireUser(a);
    this.requireUser(b);
    if (a === b) throw new StoreError('self-friend', `user ${a} cannot be their own friend`, a);
    if (groupOfBForA !== undefined) this.requireGroup(a, groupOfBForA);
    if (groupOfAForB !== undefined) this.requireGroup(b, groupOfAForB);
    this.db.tx(() => {
      const at = this.now();
      this.upsertFriend(a, b, groupOfBForA, at);
      this.upsertFriend(b, a, groupOfAForB, at);
    });
  }

  private unfriend(a: number, b: number): boolean {
    return this.q('DELETE FROM friends WHERE (owner = $1 AND friend = $2) OR (owner = $2 AND friend = $1) RETURNING owner', [a, b]).length > 0;
  }

  removeFriend(a: number, b: number): boolean {
    this.requireUser(a);
    this.requireUser(b);
    return this.unfriend(a, b);
  }

  friendsOf(uid: number): Friend[] {
    this.requireUser(uid);
    return this.q(
      `SELECT u.uid, u.nick, u.face, u.age, u.gender, f.grp FROM friends f JOIN users u ON u.uid = f.friend
       WHERE f.owner = $1 ORDER BY f.grp, u.uid`,
      [uid],
    ).map((r) => ({ uid: n(r, 'uid'), nick: String(r['nick']), face: n(r, 'face'), age: n(r, 'age'), gender: n(r, 'gender'), group: n(r, 'grp') }));
  }

  friendUids(uid: number): number[] {
    return this.q('SELECT friend FROM friends WHERE owner = $1 ORDER BY friend', [uid]).map((r) => n(r, 'friend'));
  }

  areFriends(a: number, b: number): boolean {
    return this.one('SELECT 1 AS one FROM friends WHERE owner = $1 AND friend = $2', [a, b]) !== undefined;
  }

  groupsOf(uid: number): FriendGroup[] {
    this.requireUser(uid);
    const rows = this.q('SELECT idx, name FROM friend_groups WHERE owner = $1 ORDER BY idx', [uid]).map((r) => ({ index: n(r, 'idx'), name: String(r['name']) }));
    return [{ index: 0, name: DEFAULT_GROUP_NAME }, ...rows];
  }

  addGroup(uid: number, name: string): number {
    this.requireUser(uid);
    const nm = checkName(name, 'group name');
    if (nm === DEFAULT_GROUP_NAME) return 0;
    return this.db.tx(() => {
      // Per owner: two nodes adding groups for one user pick different indexes.
      this.q('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_UID, uid]);
      const existing = this.one('SELECT idx FROM friend_groups WHERE owner = $1 AND name = $2', [uid, nm]);
      if (existing) return n(existing, 'idx');
      const free = this.one(
        `SELECT 1 AS idx WHERE NOT EXISTS (SELECT 1 FROM friend_groups WHERE owner = $1 AND idx = 1)
         UNION ALL
         SELECT * FROM (SELECT g.idx + 1 AS idx FROM friend_groups g
                        WHERE g.owner = $1 AND NOT EXISTS (SELECT 1 FROM friend_groups h WHERE h.owner = $1 AND h.idx = g.idx + 1)
                        ORDER BY g.idx LIMIT 1) gap
         LIMIT 1`,
        [uid],
      );
      if (!free || n(free, 'idx') > MAX_GROUP_INDEX) {
        throw new StoreError('groups-full', `user ${uid} already has ${MAX_GROUP_INDEX} friend groups, the most there can be`, uid);
      }
      this.q('INSERT INTO friend_groups (owner, idx, name) VALUES ($1, $2, $3)', [uid, n(free, 'idx'), nm]);
      return n(free, 'idx');
    });
  }

  renameGroup(uid: number, index: number, name: string): void {
    this.requireUser(uid);
    const nm = checkName(name, 'group name');
    if (index === 0) throw new StoreError('bad-input', `group 0 "${DEFAULT_GROUP_NAME}" is built in and cannot be renamed`, uid);
    this.requireGroup(uid, index);
    const row = nm === DEFAULT_GROUP_NAME ? { idx: 0 } : this.one('SELECT idx FROM friend_groups WHERE owner = $1 AND name = $2', [uid, nm]);
    const other = row ? n(row, 'idx') : undefined;
    if (other === index) return;
    if (other !== undefined) throw new StoreError('duplicate-group', `user ${uid} already has a friend group named "${nm}" (index ${other})`, uid);
    this.q('UPDATE friend_groups SET name = $1 WHERE owner = $2 AND idx = $3', [nm, uid, index]);
  }

  removeGroup(uid: number, index: number): void {
    this.requireUser(uid);
    if (index === 0) throw new StoreError('bad-input', `group 0 "${DEFAULT_GROUP_NAME}" is built in and cannot be removed`, uid);
    this.requireGroup(uid, index);
    this.db.tx(() => {
      this.q('UPDATE friends SET grp = 0 WHERE owner = $1 AND grp = $2', [uid, index]);
      this.q('DELETE FROM friend_groups WHERE owner = $1 AND idx = $2', [uid, index]);
    });
  }

  moveFriend(owner: number, friend: number, index: number): void {
    this.requireUser(owner);
    this.requireUser(friend);
    this.requireGroup(owner, index);
    if (!this.areFriends(owner, friend)) throw new StoreError('not-friends', `user ${friend} is not a friend of user ${owner}`, owner);
    this.q('UPDATE friends SET grp = $1 WHERE owner = $2 AND friend = $3', [index, owner, friend]);
  }

  setGroups(owner: number, groups: readonly FriendGroup[]): void {
    this.requireUser(owner);
    const clean = checkGroupList(owner, groups);
    this.db.tx(() => {
      this.q('DELETE FROM friend_groups WHERE owner = $1', [owner]);
      for (const g of clean) this.q('INSERT INTO friend_groups (owner, idx, name) VALUES ($1, $2, $3)', [owner, g.index, g.name]);
      this.q('UPDATE friends SET grp = 0 WHERE owner = $1 AND grp <> 0 AND grp NOT IN (SELECT idx FROM friend_groups WHERE owner = $1)', [owner]);
    });
  }

  moveFriends(owner: number, moves: readonly { friend: number; group: number }[]): number {
    this.requireUser(owner);
    for (const m of moves) checkUid(m.friend, 'friend');
    return this.db.tx(() => {
      for (const m of moves) this.requireGroup(owner, m.group);
      let moved = 0;
      for (const m of moves) moved += this.q('UPDATE friends SET grp = $1 WHERE owner = $2 AND friend = $3 RETURNING friend', [m.group, owner, m.friend]).length;
      return moved;
    });
  }

  memoOf(owner: number, friend: number): Memo | undefined {
    const r = this.one('SELECT * FROM memos WHERE owner = $1 AND friend = $2', [owner, friend]);
    return r ? toMemo(r as unknown as MemoRow) : undefined;
  }

  memosOf(owner: number): { friend: number; memo: Memo }[] {
    return this.q('SELECT * FROM memos WHERE owner = $1 ORDER BY friend', [owner]).map((r) => ({ friend: n(r, 'friend'), memo: toMemo(r as unknown as MemoRow) }));
  }

  setMemo(owner: number, friend: number, memo: Memo | undefined): void {
    this.requireUser(owner);
    this.requireUser(friend, 'friend');
    if (!memo) {
      this.q('DELETE FROM memos WHERE owner = $1 AND friend = $2', [owner, friend]);
      return;
    }
    checkMemo(owner, memo);
    this.q(
      `INSERT INTO memos (owner, friend, alias, mobile, telephone, address, email, zipcode, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (owner, friend) DO UPDATE SET alias = excluded.alias, mobile = excluded.mobile, telephone = excluded.telephone,
         address = excluded.address, email = excluded.email, zipcode = excluded.zipcode, note = excluded.note`,
      [owner, friend, memo.alias, memo.mobile, memo.telephone, memo.address, memo.email, memo.zipcode, memo.note],
    );
  }

  /** Marks messages delivered; by default their text is erased (the row stays as the duplicate check's tombstone). */
  private mark(ids: readonly number[], at: number): void {
    const erase = this.keepDeliveredDays > 0 ? '' : `, text = '', text_bytes = NULL, text_charset = NULL, font_name = NULL`;
    this.q(`UPDATE messages SET delivered_at = $1${erase} WHERE id = ANY($2::bigint[]) AND delivered_at IS NULL`, [at, `{${ids.join(',')}}`]);
  }

  storeMessages(msgs: NewMessage[], delivered: readonly number[] = []): { id: number; duplicate: boolean }[] {
    for (const m of msgs) checkMessage(m);
    for (const id of delivered) checkInt(id, 1, Number.MAX_SAFE_INTEGER, 'message id');
    if (msgs.length === 0 && delivered.length === 0) return [];
    return this.db.tx(() => {
      const at = this.now();
      // One statement for the whole turn's delivery marks.
      if (delivered.length) this.mark(delivered, at);
      return msgs.map((m) => {
        const f = m.font;
        const style = f ? styleBits(f) >>> STYLE_SHIFT : null;
        const existing = () =>
          this.one('SELECT id FROM messages WHERE sender = $1 AND receiver = $2 AND sent_at = $3 AND msg_id = $4 AND frag_index = $5 AND kind = 0', [
            m.sender, m.receiver, m.sentAt, m.msgId, m.fragIndex,
          ]);
        // Looked up first so a duplicate takes no id from the sequence; the unique index catches another node's
        // insert of the same retransmitted send in between (then it is looked up again).
        const old = existing();
        if (old) return { id: n(old, 'id'), duplicate: true };
        const row = this.one(
          `INSERT INTO messages (sender, receiver, sent_at, msg_id, frag_count, frag_index, reply_type, text,
                                 font_name, font_size, font_style, font_color, stored_at, stranger, text_bytes, text_charset)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           ON CONFLICT (sender, receiver, sent_at, msg_id, frag_index) WHERE kind = 0 DO NOTHING RETURNING id`,
          [m.sender, m.receiver, m.sentAt, m.msgId, m.fragCount, m.fragIndex, m.replyType, m.text,
            f ? f.name : null, f ? f.size : null, style, f ? f.color : null, at, m.stranger ? 1 : 0,
            m.raw ? m.raw.bytes : null, m.raw ? m.raw.charset : null],
        );
        if (row) return { id: n(row, 'id'), duplicate: false };
        return { id: n(existing(), 'id'), duplicate: true };
      });
    });
  }

  pendingFor(receiver: number, limit?: number): StoredMessage[] {
    checkUid(receiver, 'receiver');
    if (limit !== undefined) checkInt(limit, 0, Number.MAX_SAFE_INTEGER, 'limit');
    return this.q(`${INBOX_SELECT} WHERE m.receiver = $1 AND m.delivered_at IS NULL ORDER BY m.id LIMIT $2`, [receiver, limit ?? null]).map(
      (r) => toMessage(r as unknown as MessageRow),
    );
  }

  pendingCount(receiver: number): number {
    checkUid(receiver, 'receiver');
    return n(this.one('SELECT count(*) AS n FROM messages WHERE receiver = $1 AND delivered_at IS NULL', [receiver]), 'n');
  }

  mailboxUsage(receiver: number): MailboxUsage {
    const u: MailboxUsage = { friends: { count: 0, bytes: 0 }, strangers: { count: 0, bytes: 0 } };
    const rows = this.q(
      `SELECT stranger, count(*) AS n, coalesce(sum(coalesce(octet_length(text_bytes), octet_length(text))), 0) AS bytes
       FROM messages WHERE receiver = $1 AND delivered_at IS NULL AND kind = 0 GROUP BY stranger`,
      [receiver],
    );
    for (const r of rows) {
      const side = n(r, 'stranger') ? u.strangers : u.friends;
      side.count += n(r, 'n');
      side.bytes += n(r, 'bytes');
    }
    return u;
  }

  markDelivered(id: number): void {
    checkInt(id, 1, Number.MAX_SAFE_INTEGER, 'message id');
    this.mark([id], this.now());
  }

  getMessage(id: number): StoredMessage | undefined {
    checkInt(id, 1, Number.MAX_SAFE_INTEGER, 'message id');
    const r = this.one(`${INBOX_SELECT} WHERE m.id = $1`, [id]);
    return r ? toMessage(r as unknown as MessageRow) : undefined;
  }

  purgeDelivered(): number {
    const keep = Math.max(this.keepDeliveredDays * 86_400, DEDUP_TOMBSTONE_SECONDS);
    return this.q('DELETE FROM messages WHERE delivered_at IS NOT NULL AND delivered_at < $1 RETURNING id', [this.now() - keep]).length;
  }

  setServerInfo(info: ServerInfo | undefined): void {
    if (info) {
      this.q(
        `INSERT INTO server_info (id, pid, host, started_at) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = excluded.started_at`,
        [info.pid, info.host, info.startedAt],
      );
    } else this.q('DELETE FROM server_info');
  }

  serverInfo(): ServerInfo | undefined {
    const r = this.one('SELECT pid, host, started_at FROM server_info WHERE id = 1');
    return r ? { pid: n(r, 'pid'), host: String(r['host']), startedAt: n(r, 'started_at') } : undefined;
  }

  check(): string[] {
    // PostgreSQL checks its own pages; what is checked here is that the database answers.
    try {
      this.one('SELECT 1 AS one');
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }

  freeDiskBytes(): number | undefined {
    return undefined;
  }

  backup(): Promise<void> {
    return Promise.reject(new StoreError('io', 'a PostgreSQL store is backed up with pg_dump (or the database\'s own backups), not oicq db backup'));
  }

  setAuthType(uid: number, authType: number): void {
    this.requireUser(uid);
    checkInt(authType, 0, 2, 'auth type');
    this.q('UPDATE users SET auth_type = $1 WHERE uid = $2', [authType, uid]);
  }

  setSignature(uid: number, text: string): void {
    this.requireUser(uid);
    if (typeof text !== 'string' || [...text].length > 255) throw new StoreError('bad-input', 'a signature is at most 255 characters');
    this.q('UPDATE users SET signature = $1, signature_at = $2 WHERE uid = $3', [text, text === '' ? 0 : this.now(), uid]);
  }

  searchUsers(q: { uid?: number; nick?: string }, limit: number, offset = 0): Account[] {
    checkInt(limit, 0, 10_000, 'limit');
    checkInt(offset, 0, Number.MAX_SAFE_INTEGER, 'offset');
    if (q.uid === undefined && !q.nick) return [];
    return this.q(
      `SELECT * FROM users WHERE ($1::bigint IS NULL OR uid = $1) AND ($2::text IS NULL OR strpos(lower(nick), lower($2)) > 0)
       ORDER BY uid LIMIT $3 OFFSET $4`,
      [q.uid ?? null, q.nick || null, limit, offset],
    ).map((r) => toAccount(r as unknown as UserRow));
  }

  private insertNotices(notices: readonly NewNotice[], at: number): StoredMessage[] {
    return notices.map((nt) => {
      const id = n(
        this.one(
          `INSERT INTO messages (sender, receiver, sent_at, msg_id, frag_count, frag_index, reply_type, text, stored_at, kind, ref, qun)
           VALUES ($1, $2, $3, 0, 1, 0, 1, $4, $5, 2, $6, $7) RETURNING id`,
          [nt.sender, nt.receiver, at, nt.text, at, nt.code, nt.qun ?? null],
        ),
        'id',
      );
      return noticeMessage(id, nt, at);
    });
  }

  friendChange(ch: FriendChange): StoredMessage[] {
    checkFriendChange(ch, (uid, what) => this.requireUser(uid, what));
    return this.db.tx(() => {
      const at = this.now();
      if (ch.befriend) {
        this.upsertFriend(ch.befriend[0], ch.befriend[1], undefined, at);
        this.upsertFriend(ch.befriend[1], ch.befriend[0], undefined, at);
      }
      if (ch.unfriend) this.unfriend(ch.unfriend[0], ch.unfriend[1]);
      if (ch.request) {
        this.q(
          `INSERT INTO friend_requests (requester, target, note, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (requester, target) DO UPDATE SET note = excluded.note, created_at = excluded.created_at`,
          [ch.request.from, ch.request.to, ch.request.note, at],
        );
      }
      if (ch.dropRequest) this.q('DELETE FROM friend_requests WHERE requester = $1 AND target = $2', [ch.dropRequest.from, ch.dropRequest.to]);
      return this.insertNotices(ch.notices, at);
    });
  }

  friendRequest(from: number, to: number): { note: string; createdAt: number } | undefined {
    const r = this.one('SELECT note, created_at FROM friend_requests WHERE requester = $1 AND target = $2', [from, to]);
    return r ? { note: String(r['note']), createdAt: n(r, 'created_at') } : undefined;
  }

  createQun(creator: number, name: string, authType: number, maxQunsPerUser: number): Qun {
    this.requireUser(creator, 'creator');
    const nm = checkName(name, 'Qun name');
    checkInt(authType, 1, 3, 'Qun auth type');
    return this.db.tx(() => {
      this.q('SELECT pg_advisory_xact_lock($1)', [LOCK_QUN]);
      if (n(this.one('SELECT count(*) AS n FROM quns WHERE creator = $1', [creator]), 'n') >= maxQunsPerUser) {
        throw new StoreError('quns-full', `user ${creator} already created ${maxQunsPerUser} Qun, the most allowed`, creator);
      }
      const id = n(this.one('SELECT greatest(coalesce((SELECT max(id) FROM quns), 0) + 1, $1::bigint) AS id', [FIRST_QUN_ID]), 'id');
      if (id > MAX_UID) throw new StoreError('bad-input', 'no Qun number left');
      const at = this.now();
      this.q('INSERT INTO quns (id, name, creator, auth_type, created_at) VALUES ($1, $2, $3, $4, $5)', [id, nm, creator, authType, at]);
      this.upsertMember(id, creator, 1, at);
      return this.getQun(id)!;
    });
  }

  private upsertMember(qun: number, uid: number, role: number, at: number): void {
    this.q(
      `INSERT INTO qun_members (qun, uid, role, joined_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (qun, uid) DO UPDATE SET role = greatest(qun_members.role, excluded.role)`,
      [qun, uid, role, at],
    );
  }

  getQun(id: number): Qun | undefined {
    if (!Number.isInteger(id) || id < 1 || id > MAX_UID) return undefined;
    const r = this.one('SELECT * FROM quns WHERE id = $1', [id]);
    return r ? toQun(r as unknown as QunRow) : undefined;
  }

  listQuns(): Qun[] {
    return this.q('SELECT * FROM quns ORDER BY id').map((r) => toQun(r as unknown as QunRow));
  }

  qunsOf(uid: number): Qun[] {
    checkUid(uid);
    return this.q('SELECT q.* FROM quns q JOIN qun_members m ON m.qun = q.id WHERE m.uid = $1 ORDER BY q.id', [uid]).map((r) => toQun(r as unknown as QunRow));
  }

  qunIdsOf(uid: number): number[] {
    checkUid(uid);
    return this.q('SELECT qun FROM qun_members WHERE uid = $1 ORDER BY qun', [uid]).map((r) => n(r, 'qun'));
  }

  private requireQun(id: number): void {
    if (!this.getQun(id)) throw new StoreError('unknown-qun', `Qun ${id} does not exist`);
  }

  qunMembers(id: number): QunMember[] {
    this.requireQun(id);
    return this.q(
      `SELECT m.uid, m.role, u.nick, u.face, u.age, u.gender FROM qun_members m JOIN users u ON u.uid = m.uid
       WHERE m.qun = $1 ORDER BY m.role DESC, m.uid`,
      [id],
    ).map((r) => ({ uid: n(r, 'uid'), role: n(r, 'role'), nick: String(r['nick']), face: n(r, 'face'), age: n(r, 'age'), gender: n(r, 'gender') }));
  }

  isQunMember(id: number, uid: number): boolean {
    return this.one('SELECT 1 AS one FROM qun_members WHERE qun = $1 AND uid = $2', [id, uid]) !== undefined;
  }

  qunChange(ch: QunChange): StoredMessage[] {
    this.requireQun(ch.qun);
    checkNotices(ch.notices, (uid, what) => this.requireUser(uid, what));
    if (ch.join) this.requireUser(ch.join.uid);
    if (ch.info?.name !== undefined) ch.info.name = checkName(ch.info.name, 'Qun name');
    if (ch.info?.authType !== undefined) checkInt(ch.info.authType, 1, 3, 'Qun auth type');
    return this.db.tx(() => {
      const at = this.now();
      if (ch.join) this.upsertMember(ch.qun, ch.join.uid, ch.join.role, at);
      if (ch.leave !== undefined) this.q('DELETE FROM qun_members WHERE qun = $1 AND uid = $2', [ch.qun, ch.leave]);
      if (ch.info) {
        const i = ch.info;
        this.q(
          `UPDATE quns SET name = coalesce($2, name), notice = coalesce($3, notice), intro = coalesce($4, intro),
                           auth_type = coalesce($5::int, auth_type) WHERE id = $1`,
          [ch.qun, i.name ?? null, i.notice ?? null, i.intro ?? null, i.authType ?? null],
        );
      }
      if (ch.request) {
        this.q(
          `INSERT INTO qun_requests (qun, uid, note, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (qun, uid) DO UPDATE SET note = excluded.note, created_at = excluded.created_at`,
          [ch.qun, ch.request.uid, ch.request.note, at],
        );
      }
      if (ch.dropRequest !== undefined) this.q('DELETE FROM qun_requests WHERE qun = $1 AND uid = $2', [ch.qun, ch.dropRequest]);
      const out = this.insertNotices(ch.notices, at);
      if (ch.dismiss) this.q('DELETE FROM quns WHERE id = $1', [ch.qun]);
      return out;
    });
  }

  qunRequest(qun: number, uid: number): { note: string } | undefined {
    const r = this.one('SELECT note FROM qun_requests WHERE qun = $1 AND uid = $2', [qun, uid]);
    return r ? { note: String(r['note']) } : undefined;
  }

  storeQunMessage(m: NewQunMessage): { id: number; duplicate: boolean; inbox: StoredMessage[] } {
    checkQunMessage(m);
    return this.db.tx(() => {
      const at = this.now();
      const f = m.font;
      const style = f ? styleBits(f) >>> STYLE_SHIFT : null;
      const existing = () =>
        this.one('SELECT id FROM qun_messages WHERE qun = $1 AND sender = $2 AND sent_at = $3 AND msg_id = $4 AND frag_index = $5', [
          m.qun, m.sender, m.sentAt, m.msgId, m.fragIndex,
        ]);
      const dup = existing();
      if (dup) return { id: n(dup, 'id'), duplicate: true, inbox: [] };
      const row = this.one(
        `INSERT INTO qun_messages (qun, sender, sent_at, msg_id, frag_count, frag_index, text, font_name, font_size, font_style, font_color, stored_at,
                                   text_bytes, text_charset)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (qun, sender, sent_at, msg_id, frag_index) DO NOTHING RETURNING id`,
        [m.qun, m.sender, m.sentAt, m.msgId, m.fragCount, m.fragIndex, m.text, f ? f.name : null, f ? f.size : null, style, f ? f.color : null, at,
          m.raw ? m.raw.bytes : null, m.raw ? m.raw.charset : null],
      );
      if (!row) return { id: n(existing(), 'id'), duplicate: true, inbox: [] };
      const id = n(row, 'id');
      const rows = this.q(
        `INSERT INTO messages (sender, receiver, sent_at, msg_id, frag_count, frag_index, reply_type, text, stored_at, kind, ref, qun)
         SELECT $1, uid, $2, $3, $4, $5, 1, '', $6, 1, $7, $8 FROM qun_members WHERE qun = $8 AND uid <> $1 ORDER BY uid
         RETURNING id, receiver`,
        [m.sender, m.sentAt, m.msgId, m.fragCount, m.fragIndex, at, id, m.qun],
      );
      const inbox = rows
        .map((r) => qunInboxEntry(m, n(r, 'id'), n(r, 'receiver')))
        .sort((a, b) => a.receiver - b.receiver);
      return { id, duplicate: false, inbox };
    });
  }

  close(): void {
    this.db.close();
  }
}
