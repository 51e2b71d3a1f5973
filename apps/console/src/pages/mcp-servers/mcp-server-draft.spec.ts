import { emptyMcpServerDraft, mcpServerDraftToBody, mcpServerToDraft, parseHeaderLines, parseSpec } from './mcp-server-draft';

describe('MCP server form', () => {
  it('reads header lines, keeping a line without a value for the API to name', () => {
    expect(parseHeaderLines('Authorization: Bearer a:b\n\n  X-Team :  blue \nbroken')).toEqual({ Authorization: 'Bearer a:b', 'X-Team': 'blue', broken: '' });
  });

  it('sends a JSON document as an object and anything else as typed', () => {
    expect(parseSpec(' {"openapi":"3.0.0","paths":{}} ')).toEqual({ openapi: '3.0.0', paths: {} });
    expect(parseSpec('https://api.test/openapi.json')).toBe('https://api.test/openapi.json');
    expect(parseSpec('{ not json')).toBe('{ not json');
    expect(parseSpec('  ')).toBeNull();
  });

  it('round-trips a server read from the API, masked headers included', () => {
    const read = {
      name: 'docs',
      type: 'openapi' as const,
      url: null,
      transport: 'auto' as const,
      spec: { openapi: '3.0.0', paths: {} },
      headers: { 'x-api-key': 'abc…wxyz' },
      groups: ['default'],
      orgId: 7,
    };
    // an org admin's form never names the owner; a root's sends it as chosen
    expect(mcpServerDraftToBody(mcpServerToDraft(read), false)).toEqual({
      name: 'docs',
      type: 'openapi',
      url: null,
      spec: { openapi: '3.0.0', paths: {} },
      headers: { 'x-api-key': 'abc…wxyz' },
      groups: ['default'],
    });
    expect(mcpServerDraftToBody(mcpServerToDraft(read), true)).toMatchObject({ name: 'docs', orgId: 7 });
    expect(mcpServerDraftToBody({ ...emptyMcpServerDraft(), name: ' calc ', url: 'http://h/mcp' }, true)).toEqual({
      name: 'calc',
      type: 'remote',
      url: 'http://h/mcp',
      transport: 'auto',
      spec: null,
      headers: {},
      groups: ['default'],
      orgId: null,
    });
  });
});
