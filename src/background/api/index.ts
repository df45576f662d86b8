/**
 * API: the server Peerlink's pages, other extensions and allowed sites call.
 * Who called (from the browser's sender, never the message), whether the user
 * allowed that client, its request rate, its channel, the content scripts an
 * allowed site gets, and the requests and events it may see.
 */
export { type ApiHandlers, ApiServer, type ClientHandlers, type EventPort } from './api-server.ts'
export { type Caller, callerOf, type CallerContext, type Sender } from './caller.ts'
export { clientStatus } from './client-status.ts'
export { Clients } from './clients.ts'
export { makeSiteScripts, removeLegacySiteRecords, type SiteScripts, siteScriptsApis } from './site-scripts.ts'
