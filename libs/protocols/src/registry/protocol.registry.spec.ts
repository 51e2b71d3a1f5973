import { WIRE_PROTOCOLS } from '../protocol.types';
import {
  bodyRoutes,
  DEFAULT_PROTOCOL,
  modelListProtocolOf,
  pathModelProtocolOf,
  PROTOCOL_DESCRIPTORS,
  protocolDescriptor,
  protocolOfPath,
  renderModelList,
} from './protocol.registry';

describe('the protocol registry', () => {
  it('registers every wire protocol exactly once', () => {
    expect(PROTOCOL_DESCRIPTORS.map((d) => d.name).sort()).toEqual([...WIRE_PROTOCOLS].sort());
    for (const p of WIRE_PROTOCOLS) expect(protocolDescriptor(p).name).toBe(p);
  });

  it('every chat protocol carries its codecs; embeddings and the families beyond chat convert through their own', () => {
    expect(PROTOCOL_DESCRIPTORS.filter((d) => !d.codecs).map((d) => d.name)).toEqual([
      'openai-embeddings',
      'openai-moderations',
      'openai-images',
      'openai-audio',
      'rerank',
      'openai-realtime',
      'voyage-rerank',
      'cohere-rerank',
      'cohere-embed',
      'vertex-embeddings',
    ]);
    const ctx = { upstreamModel: 'm', requestedModel: 'm', stream: true, requestId: 'r' };
    // an upstream-only protocol (Kiro) has no client side to encode for
    for (const d of PROTOCOL_DESCRIPTORS.filter((x) => x.codecs && x.bodyRoutes.length + x.pathRoutes.length > 0)) {
      const c = d.codecs!;
      expect([d.name, typeof c.streamDecoder(ctx), typeof c.streamEncoder(ctx)]).toEqual([d.name, 'object', 'object']);
    }
  });

  it('every descriptor is consistent with its routes', () => {
    const seen = new Set<string>();
    for (const d of PROTOCOL_DESCRIPTORS) {
      // a protocol names its model either in the body (body routes) or in the path (path routes and actions), not both
      if (d.modelIn === 'body') {
        // (Realtime has no POST route: its model is in the upgrade's query; an upstream-only dialect or protocol has none at all)
        expect([
          d.name,
          d.bodyRoutes.length > 0 ||
            d.name === 'openai-realtime' ||
            d.name.endsWith('-rerank') ||
            d.name.startsWith('cohere-') ||
            d.name === 'bedrock-converse' ||
            d.name === 'kiro' ||
            d.name === 'vertex-embeddings',
          d.pathRoutes.length,
          Object.keys(d.actions).length,
        ]).toEqual([d.name, true, 0, 0]);
      } else {
        expect([d.name, d.bodyRoutes.length, d.pathRoutes.length > 0, Object.keys(d.actions).length > 0, typeof d.parsePathTarget]).toEqual([
          d.name,
          0,
          true,
          true,
          'function',
        ]);
      }
      for (const r of [...d.bodyRoutes.map((b) => b.path), ...d.pathRoutes]) {
        expect(seen.has(r)).toBe(false);
        seen.add(r);
        // an error on any of its routes is rendered in its own shape
        expect([r, protocolOfPath(d.modelIn === 'path' ? `${r}m:${Object.keys(d.actions)[0]}` : r)]).toEqual([r, d.name]);
      }
      if (d.countTokens) {
        expect(d.countTokens.route ?? d.countTokens.action).toBeDefined();
        if (d.countTokens.route) expect(protocolOfPath(d.countTokens.route)).toBe(d.name);
        if (d.countTokens.action) expect(d.actions[d.countTokens.action]?.kind).toBe('countTokens');
      }
      expect(d.streamContentType).toMatch(/^text\/event-stream/);
    }
    expect(protocolDescriptor(DEFAULT_PROTOCOL).modelList?.isCaller).toBeUndefined();
  });

  it('the hot body routes, in registry order', () => {
    expect(bodyRoutes().map((r) => [r.path, r.protocol, r.operation, r.endpoint, r.body ?? 'json'])).toEqual([
      ['/v1/chat/completions', 'openai-chat', 'generate', 'chat.completions', 'json'],
      ['/v1/responses', 'openai-responses', 'generate', 'responses', 'json'],
      ['/v1/embeddings', 'openai-embeddings', 'embed', 'embeddings', 'json'],
      ['/v1/messages', 'anthropic', 'generate', 'messages', 'json'],
      ['/v1/completions', 'openai-completions', 'generate', 'completions', 'json'],
      ['/v1/moderations', 'openai-moderations', 'moderate', 'moderations', 'json'],
      ['/v1/images/generations', 'openai-images', 'image.generate', 'images.generations', 'json'],
      ['/v1/images/edits', 'openai-images', 'image.edit', 'images.edits', 'multipart'],
      ['/v1/images/variations', 'openai-images', 'image.variation', 'images.variations', 'multipart'],
      ['/v1/audio/transcriptions', 'openai-audio', 'audio.transcribe', 'audio.transcriptions', 'multipart'],
      ['/v1/audio/translations', 'openai-audio', 'audio.translate', 'audio.translations', 'multipart'],
      ['/v1/audio/speech', 'openai-audio', 'audio.speech', 'audio.speech', 'json'],
      ['/v1/rerank', 'rerank', 'rerank', 'rerank', 'json'],
    ]);
  });

  it('stream content types as the vendors send them', () => {
    expect(protocolDescriptor('anthropic').streamContentType).toBe('text/event-stream; charset=utf-8');
    expect(protocolDescriptor('openai-chat').streamContentType).toBe('text/event-stream');
    expect(protocolDescriptor('gemini').streamContentType).toBe('text/event-stream');
  });

  it('path-model protocols own everything under their path routes', () => {
    expect(pathModelProtocolOf('/v1/models/models/a/b:generateContent')).toBe('gemini');
    expect(pathModelProtocolOf('/v1beta/models/x:embedContent')).toBe('gemini');
    expect(pathModelProtocolOf('/v1/chat/completions')).toBeNull();
    expect(protocolOfPath('/v1/other')).toBe(DEFAULT_PROTOCOL);
    expect(protocolOfPath('/api/x')).toBeNull();
  });

  it('parses the Gemini path with the tested parser, and refuses paths that name no call', () => {
    const parse = protocolDescriptor('gemini').parsePathTarget!;
    expect(parse('gemini-2.5-flash:streamGenerateContent')).toEqual({ model: 'gemini-2.5-flash', action: 'streamGenerateContent' });
    expect(parse('models%2Fgemini-2.5-flash%3AcountTokens')).toEqual({ model: 'gemini-2.5-flash', action: 'countTokens' });
    expect(parse('tunedModels/my:model-1.0:generateContent')).toEqual({ model: 'tunedModels/my:model-1.0', action: 'generateContent' });
    expect(parse('gemini-2.5-flash')).toBeNull();
    expect(parse(':generateContent')).toBeNull();
    expect(protocolDescriptor('gemini').actions.streamGenerateContent).toEqual({ kind: 'generate', stream: true });
    expect(protocolDescriptor('gemini').actions.batchEmbedContents?.kind).toBe('embed');
  });

  it('recognises a model-list caller by its key carrier; Gemini before Anthropic, OpenAI by default', () => {
    expect(modelListProtocolOf({ headers: {} })).toBe('openai-chat');
    expect(modelListProtocolOf({ headers: { 'x-api-key': 'k' } })).toBe('anthropic');
    expect(modelListProtocolOf({ headers: { 'anthropic-version': '2023-06-01' } })).toBe('anthropic');
    expect(modelListProtocolOf({ headers: {}, query: { key: 'k' } })).toBe('gemini');
    expect(modelListProtocolOf({ headers: { 'x-goog-api-key': 'k', 'x-api-key': 'k' } })).toBe('gemini');
  });

  it('renders model lists and token counts in each shape', () => {
    expect(renderModelList('openai-responses', ['a'])).toEqual({ object: 'list', data: [{ id: 'a', object: 'model', created: 0, owned_by: 'switchboard' }] });
    expect(renderModelList('anthropic', ['a', 'b'])).toMatchObject({ has_more: false, first_id: 'a', last_id: 'b' });
    expect(renderModelList('anthropic', [])).toMatchObject({ data: [], first_id: null, last_id: null });
    expect(renderModelList('gemini', ['a'])).toEqual({
      models: [{ name: 'models/a', displayName: 'a', supportedGenerationMethods: ['generateContent', 'countTokens'] }],
    });
    const g = protocolDescriptor('gemini').countTokens!;
    expect(g.input({ generateContentRequest: { contents: [] } })).toEqual({ contents: [] });
    expect(g.input({ contents: [1] })).toEqual({ contents: [1] });
    expect(g.answer(3)).toEqual({ totalTokens: 3 });
    expect(protocolDescriptor('anthropic').countTokens!.answer(3)).toEqual({ input_tokens: 3 });
  });
});
