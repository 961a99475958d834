// The client SDK's public surface.
export { Client, parseServer, CLASSIC_CLIENT_VERSION, DEFAULT_KEEP_ALIVE_MS, DEFAULT_RECONNECT, DEFAULT_SERVER } from './client.js';
export type { ClientOptions, ClientState, ClientEvents, IncomingMessage, OfflineReason, QunMessage, ReconnectOptions, SendTarget } from './client.js';
export type { AddFriendResult, FoundUser, JoinQunResult, QunInfo } from './social.js';
export { MISSING_FRAGMENT } from './inbox.js';
export * from './errors.js';
export { TypedEmitter, type EventMap } from './events.js';
export type { Friend, FriendGroup, FriendList, LoginInfo, OnlineFriend, UserInfo } from './session.js';
export { Status } from '../protocol/bodies/status-block.js';
export { MessageRecord, DEFAULT_RECORD_SIZE, type RecordedMessage } from './record.js';
