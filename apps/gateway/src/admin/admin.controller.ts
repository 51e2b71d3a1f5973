import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, type AdminReply, type Subject } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyReply } from 'fastify';
import type { RawJsonBody } from '../relay/inbound';
import { AdminAuthGuard } from './admin-auth.guard';

type Q = Record<string, string>;

/**
 * SPEC §5 admin API. Thin: each route is forwarded to the service that owns the resource, which validates,
 * writes, audits and answers { status, body }.
 */
@Controller('api')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(private readonly bus: Bus) {}

  private async forward(reply: FastifyReply, subject: Subject, resource: string, op: string, id?: string, body?: RawJsonBody, query: Q = {}) {
    // An empty body reads as {} (e.g. POST /api/channels/:id/test); anything else must be valid JSON.
    if (body && body.parseError !== undefined && body.raw.length > 0) throw new DomainError('invalid_request', 400, `body: ${body.parseError}`);
    const out = await this.bus.request<AdminReply>(subject, { resource, op, id, body: body?.json ?? {}, query, actor: 'admin' });
    return reply.status(out.status).send(out.body);
  }

  // users
  @Get('users') listUsers(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.AuthAdmin, 'users', 'list', undefined, undefined, q);
  }
  @Post('users') createUser(@Res() r: FastifyReply, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.AuthAdmin, 'users', 'create', undefined, b);
  }
  @Get('users/:id') getUser(@Res() r: FastifyReply, @Param('id') id: string) {
    return this.forward(r, Subjects.AuthAdmin, 'users', 'get', id);
  }
  @Patch('users/:id') updateUser(@Res() r: FastifyReply, @Param('id') id: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.AuthAdmin, 'users', 'update', id, b);
  }
  @Delete('users/:id') deleteUser(@Res() r: FastifyReply, @Param('id') id: string) {
    return this.forward(r, Subjects.AuthAdmin, 'users', 'delete', id);
  }
  @Post('users/:id/topup') topUp(@Res() r: FastifyReply, @Param('id') id: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.BillingAdmin, 'users', 'topup', id, b);
  }

  // tokens
  @Get('tokens') listTokens(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.AuthAdmin, 'tokens', 'list', undefined, undefined, q);
  }
  @Post('tokens') createToken(@Res() r: FastifyReply, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.AuthAdmin, 'tokens', 'create', undefined, b);
  }
  @Get('tokens/:id') getToken(@Res() r: FastifyReply, @Param('id') id: string) {
    return this.forward(r, Subjects.AuthAdmin, 'tokens', 'get', id);
  }
  @Patch('tokens/:id') updateToken(@Res() r: FastifyReply, @Param('id') id: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.AuthAdmin, 'tokens', 'update', id, b);
  }
  @Delete('tokens/:id') deleteToken(@Res() r: FastifyReply, @Param('id') id: string) {
    return this.forward(r, Subjects.AuthAdmin, 'tokens', 'delete', id);
  }

  // groups
  @Get('groups') listGroups(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.AuthAdmin, 'groups', 'list', undefined, undefined, q);
  }
  @Post('groups') createGroup(@Res() r: FastifyReply, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.AuthAdmin, 'groups', 'create', undefined, b);
  }
  @Get('groups/:name') getGroup(@Res() r: FastifyReply, @Param('name') n: string) {
    return this.forward(r, Subjects.AuthAdmin, 'groups', 'get', n);
  }
  @Patch('groups/:name') updateGroup(@Res() r: FastifyReply, @Param('name') n: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.AuthAdmin, 'groups', 'update', n, b);
  }

  // channels and aliases
  @Get('channels') listChannels(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.RouterAdmin, 'channels', 'list', undefined, undefined, q);
  }
  @Post('channels') createChannel(@Res() r: FastifyReply, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.RouterAdmin, 'channels', 'create', undefined, b);
  }
  @Get('channels/:id') getChannel(@Res() r: FastifyReply, @Param('id') id: string) {
    return this.forward(r, Subjects.RouterAdmin, 'channels', 'get', id);
  }
  @Patch('channels/:id') updateChannel(@Res() r: FastifyReply, @Param('id') id: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.RouterAdmin, 'channels', 'update', id, b);
  }
  @Post('channels/:id/test') testChannel(@Res() r: FastifyReply, @Param('id') id: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.RouterAdmin, 'channels', 'test', id, b);
  }
  @Delete('channels/:id') deleteChannel(@Res() r: FastifyReply, @Param('id') id: string) {
    return this.forward(r, Subjects.RouterAdmin, 'channels', 'delete', id);
  }
  @Get('aliases') listAliases(@Res() r: FastifyReply) {
    return this.forward(r, Subjects.RouterAdmin, 'aliases', 'list');
  }
  @Post('aliases') createAlias(@Res() r: FastifyReply, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.RouterAdmin, 'aliases', 'create', undefined, b);
  }
  @Patch('aliases/:name') updateAlias(@Res() r: FastifyReply, @Param('name') n: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.RouterAdmin, 'aliases', 'update', n, b);
  }
  @Delete('aliases/:name') deleteAlias(@Res() r: FastifyReply, @Param('name') n: string) {
    return this.forward(r, Subjects.RouterAdmin, 'aliases', 'delete', n);
  }

  // prices
  @Get('prices') listPrices(@Res() r: FastifyReply) {
    return this.forward(r, Subjects.BillingAdmin, 'prices', 'list');
  }
  @Put('prices/:model') putPrice(@Res() r: FastifyReply, @Param('model') m: string, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.BillingAdmin, 'prices', 'put', m, b);
  }

  // redemption codes, ledger
  @Post('redemptions') createRedemptions(@Res() r: FastifyReply, @Body() b: RawJsonBody) {
    return this.forward(r, Subjects.BillingAdmin, 'redemptions', 'create', undefined, b);
  }
  @Get('redemptions') listRedemptions(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.BillingAdmin, 'redemptions', 'list', undefined, undefined, q);
  }
  @Get('ledger') listLedger(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.BillingAdmin, 'ledger', 'list', undefined, undefined, q);
  }
  @Get('ledger/reconciliation') reconcileLedger(@Res() r: FastifyReply) {
    return this.forward(r, Subjects.BillingAdmin, 'ledger', 'reconcile');
  }

  // logs, stats and audit
  @Get('stats') stats(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.LogsAdmin, 'stats', 'get', undefined, undefined, q);
  }
  @Get('logs') listLogs(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.LogsAdmin, 'logs', 'list', undefined, undefined, q);
  }
  @Get('logs/:requestId') getLog(@Res() r: FastifyReply, @Param('requestId') id: string) {
    return this.forward(r, Subjects.LogsAdmin, 'logs', 'get', id);
  }
  @Get('audit') listAudit(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.LogsAdmin, 'audit', 'list', undefined, undefined, q);
  }
  @Get('usage/dead-letters') listUsageDeadLetters(@Res() r: FastifyReply, @Query() q: Q) {
    return this.forward(r, Subjects.LogsAdmin, 'usage-dead-letters', 'list', undefined, undefined, q);
  }
}

/** Public: `GET /api/status`. */
@Controller('api')
export class StatusController {
  private readonly startedAt = Date.now();
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('status')
  @HttpCode(200)
  status() {
    return { version: process.env.npm_package_version ?? '0.1.0', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000), mode: this.config.mode };
  }
}
