import { draftAsPrice, emptyPriceDraft, exampleImage, priceDraftToBody, priceToDraft } from './price-draft';

describe('price draft', () => {
  it('sends the typed numbers and leaves empty fields to the API', () => {
    const d = { ...emptyPriceDraft('m'), input: 2, output: '8', cacheRead: '', perRequest: 0.001 };
    expect(priceDraftToBody(d)).toEqual({ input: 2, output: 8, perRequest: 0.001 });
    expect(priceDraftToBody(emptyPriceDraft('m'))).toEqual({});
  });

  it('round-trips a price and counts empty fields as zero in the example', () => {
    const p = { model: 'gpt-4o', input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0, perRequest: 0 };
    expect(priceDraftToBody(priceToDraft(p))).toEqual({ input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0, perRequest: 0 });
    expect(draftAsPrice({ ...emptyPriceDraft('m'), output: 3 })).toEqual({
      input: 0,
      output: 3,
      cacheRead: 0,
      cacheWrite: 0,
      perRequest: 0,
      perImage: null,
      perImageBySize: null,
      audioInputPerMinute: null,
      speechPerMillionChars: null,
      perSearchUnit: null,
    });
  });

  it('round-trips unit prices, perImageBySize as rows; a sized row without a price goes to the API as null, blank rows are dropped', () => {
    const p = {
      model: 'dall-e-3',
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      perRequest: 0,
      perImage: null,
      perImageBySize: { '1024x1024': 0.04, 'hd:1792x1024': 0.12 },
      audioInputPerMinute: 0.006,
      speechPerMillionChars: null,
      perSearchUnit: 0.002,
    };
    const draft = priceToDraft(p);
    expect(draft.bySize).toEqual([
      { key: '1024x1024', price: 0.04 },
      { key: 'hd:1792x1024', price: 0.12 },
    ]);
    expect(priceDraftToBody(draft)).toEqual({
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      perRequest: 0,
      perImageBySize: { '1024x1024': 0.04, 'hd:1792x1024': 0.12 },
      audioInputPerMinute: 0.006,
      perSearchUnit: 0.002,
    });
    const edited = { ...draft, bySize: [...draft.bySize, { key: ' 512x512 ', price: '' }, { key: '', price: '' }] };
    expect(priceDraftToBody(edited).perImageBySize).toEqual({ '1024x1024': 0.04, 'hd:1792x1024': 0.12, '512x512': null });
    expect(draftAsPrice(edited).perImageBySize).toEqual({ '1024x1024': 0.04, 'hd:1792x1024': 0.12 });
  });

  it('takes the first size of a price as the example image', () => {
    expect(exampleImage({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, perRequest: 0, perImageBySize: { 'hd:1792x1024': 0.12 } })).toEqual({
      quality: 'hd',
      size: '1792x1024',
    });
    expect(exampleImage({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, perRequest: 0, perImageBySize: { '256x256': 0.016 } })).toEqual({
      size: '256x256',
    });
    expect(exampleImage({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, perRequest: 0 })).toEqual({});
  });
});
