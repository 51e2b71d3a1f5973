import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, Subjects } from '@switchboard/contracts';
import { UseFilters } from '@nestjs/common';
import { Bus } from '../bus';
import { RpcErrorFilter } from '../rpc-error.filter';
import { InProcessBroker } from './in-process.broker';
import { InProcessClient } from './in-process.client';
import { InProcessServer } from './in-process.server';

const events: unknown[] = [];

@Controller()
@UseFilters(RpcErrorFilter)
class EchoController {
  @MessagePattern(Subjects.AuthVerifyKey)
  verify(@Payload() p: { keyHash: string; when?: unknown }) {
    if (p.keyHash === 'boom') throw new DomainError('nope', 418, 'teapot');
    if (p.keyHash === 'crash') throw new Error('secret internals');
    return { token: null, echoed: p };
  }

  @EventPattern(Subjects.AuthChanged)
  changed(@Payload() p: unknown) {
    events.push(p);
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('in-process transport', () => {
  it('serves @MessagePattern/@EventPattern handlers with NATS-like semantics', async () => {
    const broker = new InProcessBroker();
    const app = await NestFactory.createMicroservice(EchoModule, { strategy: new InProcessServer(broker), logger: false });
    await app.listen();
    const bus = new Bus(new InProcessClient(broker));
    try {
      const date = new Date('2026-01-01T00:00:00Z');
      const reply = await bus.request<{ echoed: { keyHash: string; when: unknown } }>(Subjects.AuthVerifyKey, { keyHash: 'abc', when: date });
      // payloads are serialised as over NATS: a Date arrives as its ISO string
      expect(reply.echoed).toEqual({ keyHash: 'abc', when: '2026-01-01T00:00:00.000Z' });

      await expect(bus.request(Subjects.AuthVerifyKey, { keyHash: 'boom' })).rejects.toMatchObject({ code: 'nope', status: 418, message: 'teapot' });
      await expect(bus.request(Subjects.AuthVerifyKey, { keyHash: 'crash' })).rejects.toMatchObject({ code: 'internal', status: 500 });
      await expect(bus.request(Subjects.RouterTableGet, {})).rejects.toMatchObject({ code: 'no_responders', status: 503 });

      bus.emit(Subjects.AuthChanged, { keyHashes: ['x'], all: false });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(events).toEqual([{ keyHashes: ['x'], all: false }]);
    } finally {
      await app.close();
    }
  });
});
