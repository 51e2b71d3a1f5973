import { maskSecret, type SecretBox } from '@switchboard/common';
import { Prisma, type Channel } from '@switchboard/db';

/** The parts of a channel that hold secrets besides its keys (APP-Code headers, credentials in body overrides). */
export interface ChannelSecrets {
  headers: Record<string, string>;
  paramOverride: Record<string, unknown>;
}

type StoredSecrets = Pick<Channel, 'headersCiphertext' | 'paramOverrideCiphertext' | 'legacyHeaders' | 'legacyParamOverride'>;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const asStringMap = (v: unknown): Record<string, string> => (isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {});

function open(ciphertext: string | null, legacy: Prisma.JsonValue | null, box: SecretBox): Record<string, unknown> {
  if (ciphertext !== null) {
    const v: unknown = JSON.parse(box.decrypt(ciphertext));
    return isRecord(v) ? v : {};
  }
  // a row stored before encryption whose start-up migration has not run yet
  return isRecord(legacy) ? legacy : {};
}

/** The real values, for upstream requests (the routing table, probes). Throws if SECRET_KEY cannot decrypt them. */
export function readChannelSecrets(c: StoredSecrets, box: SecretBox): ChannelSecrets {
  return {
    headers: asStringMap(open(c.headersCiphertext, c.legacyHeaders, box)),
    paramOverride: open(c.paramOverrideCiphertext, c.legacyParamOverride, box),
  };
}

const seal = (v: Record<string, unknown>, box: SecretBox): string | null => (Object.keys(v).length ? box.encrypt(JSON.stringify(v)) : null);

/** Columns to write for the given values (only those given); clears the legacy plain text of what it writes. */
export function sealChannelSecrets(s: Partial<ChannelSecrets>, box: SecretBox) {
  return {
    ...(s.headers !== undefined ? { headersCiphertext: seal(s.headers, box), legacyHeaders: Prisma.DbNull } : {}),
    ...(s.paramOverride !== undefined ? { paramOverrideCiphertext: seal(s.paramOverride, box), legacyParamOverride: Prisma.DbNull } : {}),
  };
}

/** A value as admins see it: `abc…wxyz` for a long string (like a key), `****` otherwise. */
const maskValue = (v: unknown): string => (typeof v === 'string' ? maskSecret(v) : '****');
const maskMap = (m: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, maskValue(v)]));

/** Names visible, values masked: every admin read and audit snapshot. */
export function maskChannelSecrets(s: ChannelSecrets): { headers: Record<string, string>; paramOverride: Record<string, string> } {
  return { headers: maskMap(s.headers), paramOverride: maskMap(s.paramOverride) };
}

/**
 * An update that sends back a value exactly as it was read (masked) means "unchanged": keep the stored secret, so
 * a console that edits one header does not overwrite the others with their masks.
 */
export function keepUnchangedMasked<T>(next: Record<string, T>, current: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, k in current && v === maskValue(current[k]) ? current[k] : v]));
}
