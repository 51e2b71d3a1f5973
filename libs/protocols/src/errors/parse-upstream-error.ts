/** Upstream error bodies (any protocol, any garbage) → a GatewayError. */
import { asArray, asNumber, asObject, asString, objectsOf, tryParseJson } from '../core/json.util';
import type { GatewayError, WireProtocol } from '../protocol.types';

const MAX_MESSAGE = 1000;

export function parseUpstreamError(protocol: WireProtocol, status: number, bodyText: string): GatewayError {
  let httpStatus = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 502;
  const parsed = tryParseJson(bodyText);
  const root = asObject(Array.isArray(parsed) ? parsed[0] : parsed);
  let message: string | undefined;
  let type: string | undefined;
  let code: string | undefined;
  let param: string | undefined;
  let retryAfterSeconds: number | undefined;

  if (root) {
    const errField = root['error'];
    const e = asObject(errField);
    if (e) {
      message = asString(e['message']);
      type = asString(e['type']) ?? asString(e['status']);
      code = asString(e['code']);
      param = asString(e['param']);
      for (const d of objectsOf(e['details'])) {
        const t = asString(d['@type']) ?? '';
        if (t.endsWith('google.rpc.RetryInfo')) retryAfterSeconds = parseDuration(asString(d['retryDelay']));
        if (t.endsWith('google.rpc.ErrorInfo') && d['reason'] === 'API_KEY_INVALID') {
          code = 'invalid_api_key';
          httpStatus = 401;
        }
        if (asString(d['error_code']) === 'enforced_spend_limit_reached') code = 'insufficient_quota';
      }
      const filtered = contentFilterOf(e);
      if (filtered !== undefined) {
        // Azure's prompt filter (400 content_filter / ResponsibleAIPolicyViolation): a content-policy refusal, which
        // every client protocol must see as one (OpenAI's content_policy_violation), not as a malformed request.
        code = CONTENT_POLICY_CODE;
        type = 'invalid_request_error';
        param ??= 'prompt';
        if (filtered) message = `${asString(e['message']) ?? 'The prompt was filtered by the content policy.'} (filtered: ${filtered})`;
      }
      const det = asObject(e['details']);
      if (det && asString(det['error_code']) === 'enforced_spend_limit_reached') code = 'insufficient_quota';
      if (!message) {
        const errs = asArray(e['errors']);
        message = asString(asObject(errs?.[0])?.['message']);
      }
    } else if (typeof errField === 'string') {
      message = errField;
    }
    message ??= asString(root['message']) ?? asString(root['detail']) ?? asString(root['msg']);
    if (!type && root['type'] !== 'error') type = asString(root['type']);
    if (!code && typeof root['code'] === 'string') code = root['code'];
    const retry = asNumber(root['retry_after']);
    if (retry !== undefined) retryAfterSeconds = retry;
  }
  if (!message) {
    const text = bodyText
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    message = text.length > 0 ? text : `Upstream (${protocol}) returned HTTP ${status}`;
  }
  if (message.length > MAX_MESSAGE) message = message.slice(0, MAX_MESSAGE) + '…';

  // Seed rule: classify by message when the status says nothing useful.
  const lower = message.toLowerCase();
  if ((httpStatus === 502 || httpStatus === 500 || httpStatus === 400) && /rate.?limit/.test(lower)) httpStatus = 429;
  else if ((httpStatus === 502 || httpStatus === 400) && lower.includes('unauthorized')) httpStatus = 401;
  if (code === 'insufficient_quota' || type === 'insufficient_quota') code = 'insufficient_quota';

  const out: GatewayError = { status: httpStatus, message };
  if (type) out.type = type;
  if (code) out.code = code;
  if (param) out.param = param;
  if (retryAfterSeconds !== undefined) out.retryAfterSeconds = retryAfterSeconds;
  return out;
}

/** The code a content-policy refusal carries, whatever upstream refused (OpenAI's own name for it). */
export const CONTENT_POLICY_CODE = 'content_policy_violation';

/**
 * Azure's content-filter error: the categories that were filtered (`hate (high), jailbreak`), '' when none is named,
 * undefined when the error is something else.
 */
function contentFilterOf(e: Record<string, unknown>): string | undefined {
  const inner = asObject(e['innererror']);
  if (e['code'] !== 'content_filter' && inner?.['code'] !== 'ResponsibleAIPolicyViolation') return undefined;
  const result = asObject(inner?.['content_filter_result']) ?? {};
  const hits: string[] = [];
  for (const [category, v] of Object.entries(result)) {
    const r = asObject(v);
    if (r?.['filtered'] !== true) continue;
    const severity = asString(r['severity']);
    hits.push(severity && severity !== 'safe' ? `${category} (${severity})` : category);
  }
  return hits.join(', ');
}

function parseDuration(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(v.trim());
  return m ? Number(m[1]) : undefined;
}
