import { ANTHROPIC } from '../anthropic/anthropic.descriptor';
import { COHERE_CHAT } from '../cohere-chat/cohere-chat.descriptor';
import { COHERE_EMBED } from '../cohere-embed/cohere-embed.descriptor';
import { GEMINI } from '../gemini/gemini.descriptor';
import { OPENAI_CHAT } from '../openai-chat/openai-chat.descriptor';
import { OPENAI_EMBEDDINGS } from '../openai-embeddings/openai-embeddings.descriptor';
import { OPENAI_RESPONSES } from '../openai-responses/openai-responses.descriptor';
import { OPENAI_AUDIO } from '../openai-audio/openai-audio.descriptor';
import { OPENAI_COMPLETIONS } from '../openai-completions/openai-completions.descriptor';
import { OPENAI_IMAGES } from '../openai-images/openai-images.descriptor';
import { OPENAI_MODERATIONS } from '../openai-moderations/openai-moderations.descriptor';
import { OPENAI_REALTIME } from '../openai-realtime/openai-realtime.descriptor';
import { KIRO } from '../kiro/kiro.descriptor';
import { RERANK } from '../rerank/rerank.descriptor';
import { COHERE_RERANK, VOYAGE_RERANK } from '../rerank/rerank-dialect.descriptor';
import { BEDROCK_CONVERSE } from '../bedrock-converse/bedrock-converse.descriptor';
import { VERTEX_EMBEDDINGS } from '../vertex-embeddings/vertex-embeddings.descriptor';
import type { Operation, WireProtocol } from '../protocol.types';
import type { BodyRoute, CallerHints, ProtocolDescriptor } from './protocol.descriptor';

/**
 * Adding a protocol: one folder with its descriptor and one line here. The order is the order callers are recognised
 * in: a `GET /v1/models` with both a Gemini and an Anthropic key carrier is a Gemini call.
 */
export const PROTOCOL_DESCRIPTORS: readonly ProtocolDescriptor[] = [
  OPENAI_CHAT,
  OPENAI_RESPONSES,
  OPENAI_EMBEDDINGS,
  GEMINI,
  ANTHROPIC,
  OPENAI_COMPLETIONS,
  OPENAI_MODERATIONS,
  OPENAI_IMAGES,
  OPENAI_AUDIO,
  RERANK,
  OPENAI_REALTIME,
  VOYAGE_RERANK,
  COHERE_RERANK,
  BEDROCK_CONVERSE,
  KIRO,
  COHERE_CHAT,
  COHERE_EMBED,
  VERTEX_EMBEDDINGS,
];

/** The protocol of `/v1/…` paths no descriptor owns, and the `GET /v1/models` shape of an unrecognised caller. */
export const DEFAULT_PROTOCOL: WireProtocol = 'openai-chat';

const byName = new Map<WireProtocol, ProtocolDescriptor>(PROTOCOL_DESCRIPTORS.map((d) => [d.name, d]));

export function protocolDescriptor(protocol: WireProtocol): ProtocolDescriptor {
  const d = byName.get(protocol);
  if (!d) throw new Error(`no descriptor for protocol ${protocol}`);
  return d;
}

/** A body-model POST route with its protocol. */
export interface ProtocolRoute extends BodyRoute {
  readonly protocol: WireProtocol;
}

/** The body-model POST routes and their protocol, in registry order. */
export function bodyRoutes(): ProtocolRoute[] {
  return PROTOCOL_DESCRIPTORS.flatMap((d) => d.bodyRoutes.map((r): ProtocolRoute => ({ ...r, protocol: d.name })));
}

/**
 * The endpoint families a channel may declare (its `endpoints`, SPEC §8): every body route's endpoint beyond the chat
 * and embeddings protocols (which every channel type serves as it does), and Realtime (a WebSocket, no body route).
 */
export function declarableEndpoints(): string[] {
  const families = PROTOCOL_DESCRIPTORS.filter((d) => d.declarable);
  return [...new Set([...families.flatMap((d) => d.bodyRoutes.map((r) => r.endpoint)), 'realtime'])];
}

/** Whether a body of `protocol` asks for a stream. */
export function streamsOf(protocol: WireProtocol, body: Record<string, unknown>, operation: Operation): boolean {
  const d = protocolDescriptor(protocol);
  return d.streams ? d.streams(body, operation) : body.stream === true && operation === 'generate';
}

/** The inbound protocol a relay path speaks (null for admin, health and unknown paths). */
export function protocolOfPath(url: string): WireProtocol | null {
  const path = url.split('?')[0] ?? '';
  for (const d of PROTOCOL_DESCRIPTORS) if (d.ownsPath(path)) return d.name;
  return path.startsWith('/v1/') ? DEFAULT_PROTOCOL : null;
}

/** The path-model protocol a POST path belongs to (everything under its path routes), or null. */
export function pathModelProtocolOf(url: string): WireProtocol | null {
  for (const d of PROTOCOL_DESCRIPTORS) if (d.pathRoutes.some((r) => url.startsWith(r))) return d.name;
  return null;
}

/** Which protocol a `GET /v1/models` caller speaks, by its auth carrier and headers. */
export function modelListProtocolOf(hints: CallerHints): WireProtocol {
  for (const d of PROTOCOL_DESCRIPTORS) if (d.modelList?.isCaller?.(hints)) return d.name;
  return DEFAULT_PROTOCOL;
}

/** `GET /v1/models/{id}`: one model in the shape of `protocol`, or of the default protocol when it has none of its own. */
export function renderModel(protocol: WireProtocol, id: string): unknown {
  return (protocolDescriptor(protocol).modelList ?? protocolDescriptor(DEFAULT_PROTOCOL).modelList!).renderOne(id);
}

/** The `GET /v1/models` answer in the shape of `protocol`, or of the default protocol when it has none of its own. */
export function renderModelList(protocol: WireProtocol, ids: readonly string[]): unknown {
  return (protocolDescriptor(protocol).modelList ?? protocolDescriptor(DEFAULT_PROTOCOL).modelList!).render(ids);
}
