import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isDraining } from './drain';
import { metricsText, processMetrics } from './metrics';

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
/** Readiness checks a feature module adds (provided and exported by it under this token), e.g. the gateway's Redis. */
export const FEATURE_READINESS_CHECKS = Symbol('FEATURE_READINESS_CHECKS');
export type ReadinessCheck = { name: string; check: () => Promise<void> };

/** /health/live, /health/ready and /metrics: every service serves them on its own port. */
@Controller()
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res() reply: FastifyReply) {
    const results: Record<string, string> = {};
    let ok = true;
    if (isDraining()) {
      ok = false;
      results.shutdown = 'draining';
    }
    await Promise.all(
      this.checks.map(async (c) => {
        try {
          await c.check();
          results[c.name] = 'ok';
          processMetrics().dependencyUp.set({ dependency: c.name }, 1);
        } catch (e) {
          ok = false;
          results[c.name] = (e as Error).message || 'failed';
          processMetrics().dependencyUp.set({ dependency: c.name }, 0);
        }
      }),
    );
    reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: results });
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics() {
    return metricsText();
  }
}
