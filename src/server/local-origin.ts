import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { HttpRequest } from './http-types.js';

/**
 * Whether a request comes from a tool or a page of this server rather than from some web page a
 * browser on this machine has open:
 * - Host (HTTP/2: :authority) must name the server as it listens, with its port: `localhost`, the
 *   listening address, any loopback address when that is a loopback one, or any of the machine's
 *   own addresses when it listens on all of them. A DNS name an attacker made resolve to this
 *   machine (DNS rebinding) is refused.
 * - Origin, when present (browsers send it on every cross-origin request, including the simple
 *   text/plain POSTs they send without a CORS preflight), must be `http://` and such a host.
 * Returns why the request is refused, or undefined.
 */
export function foreignRequest(req: HttpRequest, address: AddressInfo | undefined): string | undefined {
  if (!address) return 'the server is not listening';
  const authority = req.headers.host ?? header(req, ':authority');
  const host = authority === undefined ? undefined : parseHost(`http://${authority}`);
  if (!host || !isOwnHost(host, address)) return `Host ${authority ?? '(none)'} is not this server's address (localhost:${address.port} or ${address.address}:${address.port})`;
  const origin = header(req, 'origin');
  if (origin === undefined) return undefined;
  const from = origin.startsWith('http://') ? parseHost(origin) : undefined;
  if (!from || !isOwnHost(from, address)) return `requests from the origin ${origin} are refused: only pages of this server may call it`;
  return undefined;
}

function header(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseHost(url: string): { hostname: string; port: number } | undefined {
  try {
    const u = new URL(url);
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return undefined;
    return { hostname: u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port: u.port === '' ? 80 : Number(u.port) };
  } catch {
    return undefined;
  }
}

function isOwnHost(host: { hostname: string; port: number }, address: AddressInfo): boolean {
  if (host.port !== address.port) return false;
  if (host.hostname === 'localhost' || host.hostname === address.address) return true;
  if (isLoopback(address.address)) return isLoopback(host.hostname);
  if (address.address === '0.0.0.0' || address.address === '::') {
    return isLoopback(host.hostname) || Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === host.hostname));
  }
  return false;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || /^127\.\d+\.\d+\.\d+$/.test(ip);
}
