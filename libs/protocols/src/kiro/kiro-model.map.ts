/**
 * Anthropic model ids → the ids Kiro's backend knows (providers-and-endpoints.md §3.3): current models take a dotted
 * version (`claude-sonnet-4-5-20250929` → `claude-sonnet-4.5`), the 2025 models only exist under their legacy enum
 * names. Anything else (`claude-sonnet-4.5`, `auto`, a newer id) is sent as it is.
 */
const LEGACY: Readonly<Record<string, string>> = {
  'claude-sonnet-4': 'CLAUDE_SONNET_4_20250514_V1_0',
  'claude-3-7-sonnet': 'CLAUDE_3_7_SONNET_20250219_V1_0',
  'claude-3-5-haiku': 'CLAUDE_3_5_HAIKU_20241022_V1_0',
};

export function kiroModelId(model: string): string {
  const id = model.trim().toLowerCase();
  const base = id.replace(/[-@]\d{8}(?:-v\d+(?::\d+)?)?$/, '').replace(/-latest$/, '');
  if (LEGACY[base]) return LEGACY[base];
  const dotted = /^claude-(sonnet|haiku|opus)-(\d+)-(\d{1,2})$/.exec(base);
  if (dotted) return `claude-${dotted[1]}-${dotted[2]}.${dotted[3]}`;
  return model;
}
