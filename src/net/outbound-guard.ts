/**
 * Outbound connections a caller can aim (Firehose HTTP endpoints, remote Kinesis sources and
 * sinks) must not reach private, loopback, link-local or unspecified addresses unless Sluice was
 * started with `--allow-private-endpoints`. A literal address is refused when the endpoint is
 * configured; a host name is resolved (every address) before each delivery or read, and again by
 * the connection itself (`guardedLookup`), so an answer that changes in between is still checked.
 */

import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { privateAddressKind } from './private-addresses.js';

export const ALLOW_PRIVATE_FLAG = '--allow-private-endpoints';

export class EndpointRefusedError extends Error {
  override readonly name = 'EndpointRefusedError';
}

function refused(host: string, address: string, kind: string): EndpointRefusedError {
  const what = host === address ? address : `${host} (${address})`;
  return new EndpointRefusedError(`${what} is a ${kind} address; Sluice connects to private, loopback, link-local and unspecified addresses only when started with ${ALLOW_PRIVATE_FLAG}`);
}

/** The host of an http(s) URL as a connection would use it (IPv6 without brackets); throws on a URL that does not parse. */
export function endpointHost(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The refusal for a URL whose host is a literal non-public address, or undefined (no DNS lookup: for configuration time). */
export function literalRefusal(url: string): EndpointRefusedError | undefined {
  let host: string;
  try {
    host = endpointHost(url);
  } catch {
    return undefined;
  }
  const kind = net.isIP(host) ? privateAddressKind(host) : undefined;
  return kind ? refused(host, host, kind) : undefined;
}

/** Resolves the URL's host (dns.lookup, every address) and throws EndpointRefusedError if any address is not public. */
export async function checkEndpoint(url: string): Promise<void> {
  const literal = literalRefusal(url);
  if (literal) throw literal;
  const host = endpointHost(url);
  if (net.isIP(host)) return;
  for (const { address } of await dns.promises.lookup(host, { all: true })) {
    const kind = privateAddressKind(address);
    if (kind) throw refused(host, address, kind);
  }
}

/** A `lookup` for net.connect (agents, http2.connect) that fails a host when any of its addresses is not public. */
export const guardedLookup = ((hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void): void => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err);
    for (const { address } of addresses) {
      const kind = privateAddressKind(address);
      if (kind) return callback(refused(hostname, address, kind));
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
    callback(null, first.address, first.family);
  });
}) as unknown as net.LookupFunction;

const agents = {
  'http:': new http.Agent({ keepAlive: true, lookup: guardedLookup }),
  'https:': new https.Agent({ keepAlive: true, lookup: guardedLookup }),
};

/** The agent for a request to `url`: one whose connections go through guardedLookup, or node's own when private addresses are allowed. */
export function agentFor(url: URL, allowPrivate: boolean): http.Agent {
  const secure = url.protocol === 'https:';
  if (allowPrivate) return secure ? https.globalAgent : http.globalAgent;
  return secure ? agents['https:'] : agents['http:'];
}

/** Options for an AWS SDK client's request handler that send every connection through guardedLookup. */
export function guardedSdkHandler(): { disableConcurrentStreams: boolean; nodeHttp2ConnectOptions: { lookup: net.LookupFunction } } {
  return { disableConcurrentStreams: true, nodeHttp2ConnectOptions: { lookup: guardedLookup } };
}
