/**
 * The official SDKs (openai, @anthropic-ai/sdk, @google/genai) parse every translated stream with their
 * own helpers (§11.4): finalChatCompletion(), responses.stream().finalResponse(), messages.stream().finalMessage(),
 * generateContentStream(). A fake fetch returns our bytes; no network.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { createStreamTranslator, convertResponse } from '../index';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { fixtureJson, fixtureText } from './fixtures.loader';

interface Case {
  name: string;
  protocol: WireProtocol;
  file: string;
  expect: { text: string; toolCalls: { name: string; args: unknown }[] };
}
const manifest = fixtureJson<{ streams: Case[]; errorStreams: { name: string; protocol: WireProtocol; file: string; message: string }[] }>(
  'streams.manifest.json',
);
const ctx: ConvertContext = { upstreamModel: 'up', requestedModel: 'client-model', stream: true, requestId: 'req-sdk', createdAt: 1700000000 };

function translated(from: WireProtocol, to: WireProtocol, file: string): string {
  const t = createStreamTranslator(from, to, ctx);
  return t.push(fixtureText(file)) + t.end();
}

function fakeFetch(body: string, contentType: string): typeof fetch {
  return async () => new Response(body, { status: 200, headers: { 'content-type': contentType } });
}

async function viaOpenAiChat(sse: string): Promise<{ text: string; toolCalls: { name: string; args: unknown }[] }> {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://gw.test/v1', maxRetries: 0, fetch: fakeFetch(sse, 'text/event-stream') });
  const stream = client.chat.completions.stream({
    model: 'client-model',
    messages: [{ role: 'user', content: 'hi' }],
    stream_options: { include_usage: true },
  });
  const final = await stream.finalChatCompletion();
  const msg = final.choices[0].message;
  return {
    text: msg.content ?? '',
    toolCalls: (msg.tool_calls ?? []).map((tc) =>
      tc.type === 'function' ? { name: tc.function.name, args: JSON.parse(tc.function.arguments) as unknown } : { name: '', args: null },
    ),
  };
}

async function viaResponses(sse: string): Promise<{ text: string; toolCalls: { name: string; args: unknown }[] }> {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://gw.test/v1', maxRetries: 0, fetch: fakeFetch(sse, 'text/event-stream') });
  const final = await client.responses.stream({ model: 'client-model', input: 'hi' }).finalResponse();
  const toolCalls: { name: string; args: unknown }[] = [];
  for (const item of final.output) if (item.type === 'function_call') toolCalls.push({ name: item.name, args: JSON.parse(item.arguments) as unknown });
  return { text: final.output_text, toolCalls };
}

async function viaAnthropic(sse: string): Promise<{ text: string; toolCalls: { name: string; args: unknown }[] }> {
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: 'http://gw.test', maxRetries: 0, fetch: fakeFetch(sse, 'text/event-stream; charset=utf-8') });
  const final = await client.messages.stream({ model: 'client-model', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  let text = '';
  const toolCalls: { name: string; args: unknown }[] = [];
  for (const b of final.content) {
    if (b.type === 'text') text += b.text;
    if (b.type === 'tool_use') toolCalls.push({ name: b.name, args: b.input });
  }
  return { text, toolCalls };
}

async function viaGemini(sse: string): Promise<{ text: string; toolCalls: { name: string; args: unknown }[] }> {
  const original = globalThis.fetch;
  globalThis.fetch = fakeFetch(sse, 'text/event-stream');
  try {
    const ai = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: 'http://gw.test', apiVersion: 'v1beta' } });
    let text = '';
    const toolCalls: { name: string; args: unknown }[] = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'client-model', contents: 'hi' })) {
      for (const p of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (typeof p.text === 'string' && !p.thought) text += p.text;
        if (p.functionCall) toolCalls.push({ name: p.functionCall.name ?? '', args: p.functionCall.args });
      }
    }
    return { text, toolCalls };
  } finally {
    globalThis.fetch = original;
  }
}

const READERS: Record<string, (sse: string) => Promise<{ text: string; toolCalls: { name: string; args: unknown }[] }>> = {
  'openai-chat': viaOpenAiChat,
  'openai-responses': viaResponses,
  anthropic: viaAnthropic,
  gemini: viaGemini,
};
const CLIENTS = Object.keys(READERS) as WireProtocol[];

describe('official SDK stream helpers accept every translated stream', () => {
  for (const sc of manifest.streams) {
    for (const client of CLIENTS) {
      it(`${sc.name} → ${client} SDK`, async () => {
        const got = await READERS[client](translated(sc.protocol, client, sc.file));
        expect(got.text).toBe(sc.expect.text);
        expect(got.toolCalls).toEqual(sc.expect.toolCalls.map((t) => ({ name: t.name, args: t.args })));
      });
    }
  }
});

describe('official SDKs throw on translated in-stream errors (§7.5)', () => {
  for (const ec of manifest.errorStreams) {
    for (const client of CLIENTS) {
      it(`${ec.name} → ${client} SDK rejects`, async () => {
        await expect(READERS[client](translated(ec.protocol, client, ec.file))).rejects.toThrow();
      });
    }
  }
});

describe('official SDKs accept translated non-stream bodies', () => {
  const anthropicBody = fixtureJson('anthropic/response-tool-use.json');
  it('openai chat.completions.create', async () => {
    const out = JSON.stringify(convertResponse('anthropic', 'openai-chat', anthropicBody, { ...ctx, stream: false }));
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gw.test/v1', maxRetries: 0, fetch: fakeFetch(out, 'application/json') });
    const res = await client.chat.completions.create({ model: 'client-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0].finish_reason).toBe('tool_calls');
  });
  it('openai responses.create computes output_text', async () => {
    const out = JSON.stringify(convertResponse('gemini', 'openai-responses', fixtureJson('gemini/response-text.json'), { ...ctx, stream: false }));
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gw.test/v1', maxRetries: 0, fetch: fakeFetch(out, 'application/json') });
    expect((await client.responses.create({ model: 'client-model', input: 'hi' })).output_text).toBe('There are **3** "r"s in strawberry.');
  });
  it('anthropic messages.create', async () => {
    const out = JSON.stringify(convertResponse('openai-chat', 'anthropic', fixtureJson('openai-chat/response-tool-calls.json'), { ...ctx, stream: false }));
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://gw.test', maxRetries: 0, fetch: fakeFetch(out, 'application/json') });
    const msg = await client.messages.create({ model: 'client-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.stop_reason).toBe('tool_use');
  });
  it('genai generateContent: response.text and functionCalls', async () => {
    const original = globalThis.fetch;
    globalThis.fetch = fakeFetch(JSON.stringify(convertResponse('anthropic', 'gemini', anthropicBody, { ...ctx, stream: false })), 'application/json');
    try {
      const ai = new GoogleGenAI({ apiKey: 'g', httpOptions: { baseUrl: 'http://gw.test', apiVersion: 'v1beta' } });
      const res = await ai.models.generateContent({ model: 'client-model', contents: 'hi' });
      expect(res.functionCalls?.[0]?.args).toEqual({ city: 'Paris' });
    } finally {
      globalThis.fetch = original;
    }
  });
});
