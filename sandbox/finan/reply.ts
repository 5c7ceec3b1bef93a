import type { FastifyReply, FastifyRequest } from 'fastify';
import { dropIfMarked } from '../drop';
import type { FinanApiError, FinanSuccessEnvelope } from './envelope';
import { errorEnvelope, successEnvelope } from './envelope';

// Every Finan answer goes through these two functions, so "commit then drop" covers successes and errors alike.

export function sendFinanSuccess<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  code: FinanSuccessEnvelope<T>['code'],
  data: T,
  content?: string,
): FastifyReply {
  if (dropIfMarked(request, reply)) return reply;
  return reply.code(200).send(successEnvelope(code, request.id, data, content));
}

export function sendFinanError(request: FastifyRequest, reply: FastifyReply, error: FinanApiError): FastifyReply {
  if (dropIfMarked(request, reply)) return reply;
  return reply.code(error.status).headers(error.headers).send(errorEnvelope(request.id, error.message));
}
