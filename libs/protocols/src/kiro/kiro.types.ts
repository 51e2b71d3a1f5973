/** Kiro / CodeWhisperer `generateAssistantResponse` wire shapes (providers-and-endpoints.md §3.2). */

export interface KiroImage {
  format: string;
  source: { bytes: string };
}

export interface KiroToolResult {
  toolUseId: string;
  status: 'success' | 'error';
  content: { text: string }[];
}

export interface KiroToolSpec {
  toolSpecification: { name: string; description: string; inputSchema: { json: Record<string, unknown> } };
}

export interface KiroUserInputMessage {
  content: string;
  modelId: string;
  origin: 'AI_EDITOR';
  images?: KiroImage[];
  userInputMessageContext?: { toolResults?: KiroToolResult[]; tools?: KiroToolSpec[] };
}

export interface KiroToolUse {
  toolUseId: string;
  name: string;
  input: Record<string, unknown>;
}

export interface KiroAssistantResponseMessage {
  content: string;
  toolUses?: KiroToolUse[];
}

export type KiroHistoryEntry = { userInputMessage: KiroUserInputMessage } | { assistantResponseMessage: KiroAssistantResponseMessage };

export interface KiroRequest {
  conversationState: {
    agentTaskType: 'vibe';
    chatTriggerType: 'MANUAL';
    conversationId: string;
    history?: KiroHistoryEntry[];
    currentMessage: { userInputMessage: KiroUserInputMessage };
  };
  /** per credential: the provider sets it when the account has one */
  profileArn?: string;
}
