import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { McpGatewayService } from './mcp-gateway.service';

const logger = new Logger('McpRoutes');

type Handler = (req: FastifyRequest, reply: FastifyReply, name: string) => Promise<void>;

/**
 * The MCP endpoints: `/mcp/{name}` (streamable HTTP, stateless: POST only) and `/mcp/{name}/sse` with its
 * `/mcp/{name}/messages` (the old HTTP+SSE transport). Refusals before the stream starts go to the error handler
 * (EdgeErrorFilter); a failure after it has started can only end the response.
 */
export function registerMcpRoutes(fastify: FastifyInstance, mcp: McpGatewayService): void {
  const serve = (handler: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      await handler(req, reply, (req.params as { name: string }).name);
    } catch (e) {
      if (!reply.sent && !reply.raw.headersSent) throw e;
      logger.error((e as Error)?.stack ?? String(e));
      if (!reply.raw.writableEnded) reply.raw.end();
    }
  };
  fastify.post('/mcp/:name', serve(mcp.streamable.bind(mcp)));
  // Stateless: no server-initiated stream and no session to end (the spec lets a server answer 405 to both).
  const notAllowed = (_req: FastifyRequest, reply: FastifyReply) =>
    void reply
      .status(405)
      .header('allow', 'POST')
      .send({ error: { code: 'method_not_allowed', message: 'This MCP endpoint is stateless: POST JSON-RPC messages to it.' } });
  fastify.get('/mcp/:name', notAllowed);
  fastify.delete('/mcp/:name', notAllowed);
  fastify.get('/mcp/:name/sse', serve(mcp.openSse.bind(mcp)));
  fastify.post('/mcp/:name/messages', serve(mcp.postSse.bind(mcp)));
}
