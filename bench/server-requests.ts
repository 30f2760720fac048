import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unionMs } from './path-meter';

/**
 * Times the HTTP exchanges that servers in this process handle (the vendor sandboxes, the local
 * API), from Node's own `http.server.request.start` / `http.server.response.finish` diagnostics
 * channels: from the request's headers arriving to the last byte of the answer handed to the
 * socket. Nothing in the servers changes; only the ports `watch` names are kept.
 */
export interface ServerRequest {
  port: number;
  method: string;
  url: string;
  /** performance.now() when the request's headers arrived. */
  from: number;
  /** performance.now() when the answer was finished. */
  to: number;
}

interface ChannelMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** A URL's port (-1 for none): what recordServerRequests watches. */
export const portOf = (url: string | undefined): number => (url ? Number(new URL(url).port) : -1);

export function recordServerRequests(watch: () => ReadonlySet<number>): { requests: ServerRequest[]; stop(): void } {
  const requests: ServerRequest[] = [];
  const open = new WeakMap<ServerResponse, Omit<ServerRequest, 'to'>>();
  const serverPort = (server: Server): number => (server.address() as AddressInfo | null)?.port ?? -1;
  const onStart = (message: unknown): void => {
    const { request, response, server } = message as ChannelMessage;
    const port = serverPort(server);
    if (!watch().has(port)) return;
    open.set(response, { port, method: request.method ?? '', url: request.url ?? '', from: performance.now() });
  };
  const onFinish = (message: unknown): void => {
    const { response } = message as ChannelMessage;
    const started = open.get(response);
    if (!started) return;
    open.delete(response);
    requests.push({ ...started, to: performance.now() });
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return {
    requests,
    stop: () => {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

/** How long the servers were busy answering `requests`, overlaps counted once. */
export function busyMs(requests: readonly ServerRequest[]): number {
  return unionMs(requests.map((r) => [r.from, r.to] as const));
}
