/**
 * Bedrock model ids come as base ids (`anthropic.claude-sonnet-4-20250514-v1:0`), inference profiles with a geo prefix
 * (`us.`, `eu.`, `apac.`, `global.`…) or ARNs that end in one of those. The provider is the segment after the prefix.
 */
export function bedrockModelProvider(modelId: string): string {
  const tail = modelId.includes('/') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const parts = tail.split('.');
  const GEO = new Set(['us', 'eu', 'apac', 'au', 'ca', 'jp', 'us-gov', 'global']);
  const provider = parts.length > 2 && GEO.has(parts[0]) ? parts[1] : parts[0];
  return provider.toLowerCase();
}

/** Claude on Bedrock: the ids Anthropic publishes there, or anything naming claude (an ARN of a profile of one). */
export function isBedrockAnthropicModel(modelId: string): boolean {
  return bedrockModelProvider(modelId) === 'anthropic' || /claude/i.test(modelId);
}
