import { PLUGIN_NAMES } from '@switchboard/contracts';
import { CSV_BOM, csvCell, csvFileName, LOG_CSV_FIELDS, logsToCsv, plainNumber, toCsv } from './logs-csv';

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks, doubling inner quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });

  it('guards text that a spreadsheet would run as a formula with a leading apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers in plain decimals, booleans as words and nothing for null', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.000123)).toBe('0.000123');
    expect(csvCell(1.5e-7)).toBe('0.00000015');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('plainNumber', () => {
  it('expands exponents exactly', () => {
    expect(plainNumber(1e-7)).toBe('0.0000001');
    expect(plainNumber(-2.5e-8)).toBe('-0.000000025');
    expect(plainNumber(1.25e21)).toBe('1250000000000000000000');
    expect(plainNumber(42)).toBe('42');
    expect(plainNumber(Number.NaN)).toBe('');
  });
});

describe('toCsv', () => {
  it('joins rows with CRLF and ends with one', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          [1, 'x,y'],
          [null, 'z'],
        ],
      ),
    ).toBe('a,b\r\n1,"x,y"\r\n,z\r\n');
  });
});

describe('logsToCsv', () => {
  const record = {
    requestId: 'req_1',
    createdAt: '2026-12-06T11:00:00.000Z',
    tokenId: 3,
    userId: 1,
    group: 'default',
    model: '=cmd',
    upstreamModel: 'gpt-4o-mini',
    channelId: 2,
    protocol: 'openai-chat',
    upstreamProtocol: 'openai-chat',
    stream: false,
    status: 502,
    promptTokens: 10,
    completionTokens: 5,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    cost: 0.0000015,
    latencyMs: 120,
    ttftMs: null,
    attempts: 2,
    error: 'upstream said "no", twice\nthen gave up',
    endpoint: 'chat.completions',
    units: null,
  };

  it('has a BOM, a header of the API field names and one line per record, every field in its column', () => {
    const csv = logsToCsv([record]);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    const [header, line, end] = csv.slice(1).split(/\r\n/);
    expect(header).toBe(LOG_CSV_FIELDS.join(','));
    expect(end).toBe('');
    expect(line).toBe(
      'req_1,2026-12-06T11:00:00.000Z,3,1,default,\'=cmd,gpt-4o-mini,2,openai-chat,openai-chat,false,502,10,5,0,0,0,0.0000015,120,,2,"upstream said ""no"", twice\nthen gave up",chat.completions,,,,,,,,',
    );
  });

  it('has the endpoint family and one column per unit', () => {
    const csv = logsToCsv([{ ...record, endpoint: 'audio.transcriptions', units: { audioSeconds: 90.5, images: 0 } }]);
    const [header, line] = csv.slice(1).split(/\r\n/);
    expect(header.includes(',endpoint,units.images,units.audioSeconds,units.characters,units.searchUnits,')).toBe(true);
    expect(line.includes(',audio.transcriptions,0,90.5,,,')).toBe(true);
  });

  it('has one column per relay plugin, with what it did', () => {
    expect(LOG_CSV_FIELDS.filter((f) => f.startsWith('plugins.'))).toEqual(PLUGIN_NAMES.map((n) => `plugins.${n}`));
    const csv = logsToCsv([{ ...record, plugins: { cache: 'hit', 'stream-fake': 'applied' } }]);
    const [header, line] = csv.slice(1).split(/\r\n/);
    expect(header.endsWith(',plugins.cache,plugins.web-search,plugins.stream-fake,plugins.think-split')).toBe(true);
    expect(line.endsWith(',hit,,applied,')).toBe(true);
  });

  it('is only the header for no records', () => {
    expect(logsToCsv([])).toBe(`${CSV_BOM}${LOG_CSV_FIELDS.join(',')}\r\n`);
  });
});

describe('csvFileName', () => {
  it('names the file by the local time', () => {
    expect(csvFileName(new Date(2026, 11, 6, 9, 5))).toBe('switchboard-logs-20261206-0905.csv');
  });
});
