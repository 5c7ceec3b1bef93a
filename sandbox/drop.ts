import type { FastifyReply, FastifyRequest } from 'fastify';

// Requests whose effects must be committed but whose response must never reach the client.
const marked = new WeakSet<FastifyRequest>();

/** Marks a request for the "commit then drop the connection" fault. */
export function markCommitThenDrop(request: FastifyRequest): void {
  marked.add(request);
}

/**
 * Destroys the connection of a marked request instead of answering it, so the client sees a socket error although the
 * request took effect. Returns false (and does nothing) for an unmarked request.
 */
export function dropIfMarked(request: FastifyRequest, reply: FastifyReply): boolean {
  if (!marked.has(request)) return false;
  // Hijack first so fastify never writes a status line or a byte of body to the dying socket.
  reply.hijack();
  request.log.info('commit-then-drop fault: request committed, connection destroyed');
  request.raw.socket.destroy();
  return true;
}
