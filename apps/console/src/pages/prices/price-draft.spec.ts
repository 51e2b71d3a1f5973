import { draftAsPrice, emptyPriceDraft, priceDraftToBody, priceToDraft } from './price-draft';

describe('price draft', () => {
  it('sends the typed numbers and leaves empty fields to the API', () => {
    const d = { ...emptyPriceDraft('m'), input: 2, output: '8', cacheRead: '', perRequest: 0.001 };
    expect(priceDraftToBody(d)).toEqual({ input: 2, output: 8, perRequest: 0.001 });
    expect(priceDraftToBody(emptyPriceDraft('m'))).toEqual({});
  });

  it('round-trips a price and counts empty fields as zero in the example', () => {
    const p = { model: 'gpt-4o', input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0, perRequest: 0 };
    expect(priceDraftToBody(priceToDraft(p))).toEqual({ input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0, perRequest: 0 });
    expect(draftAsPrice({ ...emptyPriceDraft('m'), output: 3 })).toEqual({ input: 0, output: 3, cacheRead: 0, cacheWrite: 0, perRequest: 0 });
  });
});
