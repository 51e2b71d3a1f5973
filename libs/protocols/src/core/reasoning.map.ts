/** Reasoning effort ↔ thinking budget (§9.12; LiteLLM / new-api defaults). */
import type { IrEffort, IrReasoning } from './ir.types';

const EFFORTS: readonly IrEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

export function asEffort(v: unknown): IrEffort | undefined {
  return typeof v === 'string' && (EFFORTS as readonly string[]).includes(v) ? (v as IrEffort) : undefined;
}

const ANTHROPIC_BUDGET: Record<Exclude<IrEffort, 'none'>, number> = {
  minimal: 1024,
  low: 1024,
  medium: 2048,
  high: 4096,
  xhigh: 8192,
  max: 16384,
};

const GEMINI_BUDGET: Record<IrEffort, number> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
  max: 32768,
};

/** Budget for Anthropic `thinking.budget_tokens` (≥1024), or undefined when thinking is off. */
export function anthropicBudget(r: IrReasoning | undefined): number | undefined {
  if (!r) return undefined;
  if (r.effort === 'none' || r.budgetTokens === 0) return undefined;
  if (r.budgetTokens !== undefined && r.budgetTokens > 0) return Math.max(1024, r.budgetTokens);
  if (r.effort) return ANTHROPIC_BUDGET[r.effort];
  if (r.budgetTokens === -1 || r.includeThoughts) return ANTHROPIC_BUDGET.medium;
  return undefined;
}

export function geminiBudget(r: IrReasoning): number | undefined {
  if (r.budgetTokens !== undefined) return r.budgetTokens;
  if (r.effort) return GEMINI_BUDGET[r.effort];
  return undefined;
}

export function geminiThinkingLevel(effort: IrEffort): 'LOW' | 'HIGH' {
  return effort === 'none' || effort === 'minimal' || effort === 'low' ? 'LOW' : 'HIGH';
}

export function effortFromBudget(budget: number): IrEffort {
  if (budget === 0) return 'none';
  if (budget < 0) return 'medium';
  if (budget <= 1536) return 'low';
  if (budget <= 6144) return 'medium';
  return 'high';
}

/** OpenAI-style models known to accept `reasoning_effort` / `reasoning.effort`. */
export function isOpenAiReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5|gpt-oss|codex)/i.test(model.replace(/^.*\//, ''));
}

/**
 * Effort for OpenAI (`reasoning_effort` / `reasoning.effort`). An explicit effort is always sent;
 * one derived from a thinking budget only to models that accept it (others answer 400).
 */
export function openAiEffort(r: IrReasoning | undefined, model?: string): IrEffort | undefined {
  if (!r) return undefined;
  const accepted = model === undefined || isOpenAiReasoningModel(model);
  if (r.effort && (r.openAiEffort || accepted)) return r.effort;
  if (r.budgetTokens !== undefined && accepted) return effortFromBudget(r.budgetTokens);
  if (r.includeThoughts && accepted) return 'medium';
  return undefined;
}

export function geminiMajorVersion(model: string): number {
  const m = /gemini-(\d+)(?:\.(\d+))?/i.exec(model);
  return m ? Number(m[1]) : 0;
}
