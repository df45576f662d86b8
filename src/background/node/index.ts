/**
 * Node: the worker's end of the link to the node's half. Calls with deadlines,
 * the node's last report, and the upkeep of the offscreen document it runs in.
 */
export { NodeLink } from './node-link.ts'
export { makeOffscreenDocument, type OffscreenDocument } from './offscreen-document.ts'
