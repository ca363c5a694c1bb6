/**
 * Connection faults, for testing a client's retries: a TCP reset, a connection closed without any
 * reply, or a body that trickles in over a couple of seconds.
 */
import type { ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const FAULTS = ['reset', 'empty', 'slow-body'] as const;
/** reset: TCP reset, no reply; empty: the connection closes with no reply; slow-body: the body trickles */
export type Fault = (typeof FAULTS)[number];

export const SLOW_BODY_CHUNKS = 10;
export const SLOW_BODY_INTERVAL_MS = 200;

declare module 'fastify' {
  interface FastifyRequest {
    /** send this request's body slowly (fault `slow-body`) */
    slowBody: boolean;
  }
}

/** Ends the connection with no HTTP reply: a reset (RST) or a plain close (an "empty reply"). */
export function breakConnection(reply: FastifyReply, fault: 'reset' | 'empty'): FastifyReply {
  reply.hijack();
  const socket = reply.request.raw.socket;
  if (fault === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
  return reply;
}

async function* trickle(body: Buffer): AsyncGenerator<Buffer> {
  const size = Math.ceil(body.length / SLOW_BODY_CHUNKS);
  for (let offset = 0; offset < body.length; offset += size) {
    if (offset > 0) await sleep(SLOW_BODY_INTERVAL_MS);
    yield body.subarray(offset, offset + size);
  }
}

/** Lets a handler mark its request for fault `slow-body` (request.slowBody), false by default. */
export function declareSlowBody(app: FastifyInstance): void {
  app.decorateRequest('slowBody', false);
}

/**
 * Sends a body whose headers (with its real Content-Length) are already written, in pieces over a
 * couple of seconds. A client that goes away meanwhile ends the trickle: pipeline destroys both sides.
 */
export function sendSlowly(response: ServerResponse, body: Buffer): void {
  pipeline(Readable.from(trickle(body)), response, () => {
    // Nothing to do: the reply is finished or the client is gone, and either is the fault's own end.
  });
}
