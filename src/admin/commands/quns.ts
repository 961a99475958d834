// Qun (group chats) for operators: list, show (members with roles), create, add / remove a member, rename,
// dismiss. With the running server (admin API) members hear of it at once; otherwise the system messages wait
// in the store for their next login.
import { NoticeCode, QunPolicy, type Qun, type Store } from '../../store/store.js';
import { StoreError } from '../../store/validate.js';
import { Quns } from '../../server/social/quns.js';
import { SessionTable } from '../../server/sessions.js';
import { defineCommand, type AdminContext } from '../context.js';
import { accountOf } from './users.js';

const qun = { type: 'uid', doc: 'the Qun number' } as const;
const POLICY_NAMES: Record<number, string> = { [QunPolicy.OPEN]: 'open', [QunPolicy.NEEDS_AUTH]: 'approval', [QunPolicy.CLOSED]: 'closed' };

/** The Qun service: the running server's (pushes at once) or one over the store alone. */
function qunsOf(ctx: AdminContext): Quns {
  return ctx.live?.server.hub.quns ?? new Quns(ctx.store, new SessionTable(), () => undefined);
}

function qunOf(store: Store, id: number): Qun {
  const q = store.getQun(id);
  if (!q) throw new StoreError('unknown-qun', `Qun ${id} does not exist`);
  return q;
}

function view(store: Store, q: Qun) {
  return { qun: q.id, name: q.name, creator: q.creator, policy: POLICY_NAMES[q.authType] ?? String(q.authType), members: store.qunMembers(q.id).length };
}

export const qunList = defineCommand({
  name: 'qun.list',
  summary: 'every Qun with its creator, join policy and member count',
  method: 'GET',
  path: '/api/quns',
  params: {},
  run: ({ store }) => store.listQuns().map((q) => view(store, q)),
});

export const qunShow = defineCommand({
  name: 'qun.show',
  summary: "a Qun's details and members with their roles",
  method: 'GET',
  path: '/api/quns/{qun}',
  params: { qun },
  run: ({ store }, a) => {
    const q = qunOf(store, a.qun);
    return { ...view(store, q), notice: q.notice, members: store.qunMembers(q.id).map((m) => ({ uid: m.uid, nick: m.nick, role: m.role === 1 ? 'admin' : 'member' })) };
  },
});

export const qunCreate = defineCommand({
  name: 'qun.create',
  summary: 'create a Qun owned by a user (policy: open, approval or closed)',
  method: 'POST',
  path: '/api/quns',
  params: {
    creator: { type: 'uid', doc: 'the creator (its first member, admin)' },
    name: { type: 'string', doc: 'the Qun name' },
    policy: { type: 'string', doc: 'who may join: open | approval | closed (default approval)', required: false },
  },
  run: (ctx, a) => {
    accountOf(ctx.store, a.creator);
    const policy = Object.entries(POLICY_NAMES).find(([, n]) => n === (a.policy ?? 'approval'));
    if (!policy) throw new StoreError('bad-input', `policy must be open, approval or closed, got '${a.policy}'`);
    return view(ctx.store, qunsOf(ctx).create(a.creator, a.name, Number(policy[0])));
  },
});

export const qunAddMember = defineCommand({
  name: 'qun.add-member',
  summary: 'add a user to a Qun (the members are told)',
  method: 'POST',
  path: '/api/quns/{qun}/members',
  params: { qun, uid: { type: 'uid', doc: 'the new member' } },
  run: (ctx, a) => {
    const q = qunOf(ctx.store, a.qun);
    accountOf(ctx.store, a.uid);
    const quns = qunsOf(ctx);
    if (ctx.store.qunMembers(q.id).length >= quns.limits.maxMembers && !ctx.store.isQunMember(q.id, a.uid)) {
      throw new StoreError('quns-full', `Qun ${q.id} already has ${quns.limits.maxMembers} members, the most allowed`);
    }
    const already = ctx.store.isQunMember(q.id, a.uid);
    if (!already) {
      const others = ctx.store.qunMembers(q.id).map((m) => m.uid);
      const fresh = ctx.store.qunChange({ qun: q.id, join: { uid: a.uid, role: 0 }, notices: others.map((r) => ({ sender: a.uid, receiver: r, code: NoticeCode.QUN_JOINED, text: '', qun: q.id })) });
      ctx.live?.server.hub.deliverStored(fresh);
    }
    return { qun: q.id, uid: a.uid, already };
  },
});

export const qunRemoveMember = defineCommand({
  name: 'qun.remove-member',
  summary: 'remove a member from a Qun (removing the creator dismisses it)',
  method: 'DELETE',
  path: '/api/quns/{qun}/members/{uid}',
  params: { qun, uid: { type: 'uid', doc: 'the member' } },
  run: (ctx, a) => {
    qunOf(ctx.store, a.qun);
    return { qun: a.qun, uid: a.uid, removed: qunsOf(ctx).leave(a.qun, a.uid) };
  },
});

export const qunRename = defineCommand({
  name: 'qun.rename',
  summary: 'rename a Qun',
  method: 'POST',
  path: '/api/quns/{qun}/name',
  params: { qun, name: { type: 'string', doc: 'the new name' } },
  run: ({ store }, a) => {
    qunOf(store, a.qun);
    store.qunChange({ qun: a.qun, info: { name: a.name }, notices: [] });
    return view(store, qunOf(store, a.qun));
  },
});

export const qunDismiss = defineCommand({
  name: 'qun.dismiss',
  summary: 'dismiss a Qun (every member is told)',
  method: 'DELETE',
  path: '/api/quns/{qun}',
  params: { qun },
  run: (ctx, a) => {
    const q = qunOf(ctx.store, a.qun);
    qunsOf(ctx).leave(q.id, q.creator);
    return { qun: q.id, dismissed: true };
  },
});
