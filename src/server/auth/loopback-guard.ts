/**
 * What `--auth` does to the routes a browser uses (the dashboard, /api/streams, the WebSocket
 * feeds): a browser cannot sign SigV4, so they answer clients on this machine only (127.0.0.0/8,
 * ::1) and 403 to anyone else. /health stays open; /sql checks its own signature (signedRoute).
 */

import type { RequestGuard } from '../sluice-server.js';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Refuses every path but `open` to clients that are not on this machine. */
export function loopbackOnly(open: readonly string[]): RequestGuard {
  return (path, peer) =>
    open.includes(path) || isLoopback(peer)
      ? undefined
      : { status: 403, message: `${path} answers clients on this machine only while --auth is on (a browser cannot sign requests); reach it through an SSH tunnel` };
}
