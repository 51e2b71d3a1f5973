/** `/v1beta/models/{model}:{action}` helpers (§10.23): ids contain dots and dashes; split on the LAST ':'. */
export interface GeminiModelAction {
  model: string;
  action: string | null;
}

export function parseGeminiModelAction(segment: string): GeminiModelAction {
  let s = decodeURIComponent(segment);
  const at = s.lastIndexOf(':');
  const action = at >= 0 ? s.slice(at + 1) : null;
  if (at >= 0) s = s.slice(0, at);
  if (s.startsWith('models/')) s = s.slice('models/'.length);
  return { model: s, action };
}
