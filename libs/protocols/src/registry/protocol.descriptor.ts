import type { IrRequest, IrResponse } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import type { StreamDecoder, StreamEncoder } from '../core/stream.types';
import type { BillableUnits, ConvertContext, Operation, Usage, WireProtocol } from '../protocol.types';

/** A chat protocol's codecs: its wire shapes to and from the IR, for requests, responses and streams. */
export interface ChatCodecs {
  readonly decodeRequest: (body: JsonObject) => IrRequest;
  readonly encodeRequest: (ir: IrRequest, ctx: ConvertContext) => JsonObject;
  readonly decodeResponse: (body: JsonObject, ctx?: ConvertContext) => IrResponse;
  readonly encodeResponse: (ir: IrResponse, ctx: ConvertContext) => JsonObject;
  readonly streamDecoder: (ctx: ConvertContext) => StreamDecoder;
  readonly streamEncoder: (ctx: ConvertContext) => StreamEncoder;
}

/** One POST route of a body-model protocol: what its calls do, how the log names it, how its body arrives. */
export interface BodyRoute {
  readonly path: string;
  readonly operation: Operation;
  /** the usage record's `endpoint` (SPEC §8: the path family, e.g. `images.generations`) */
  readonly endpoint: string;
  /** `multipart`: a form upload (files), read by the multipart reader and re-encoded upstream; default JSON */
  readonly body?: 'json' | 'multipart';
}

/** What an endpoint family's accounting sees of a request: its body (a form's text fields for uploads). */
export interface AccountedRequest {
  readonly operation: Operation;
  readonly body: Record<string, unknown>;
  /** uploads: the size of each file, by field name, and its first bytes (an audio file's header tells its length) */
  readonly uploads?: readonly { field: string; bytes: number; contentType: string; filename?: string; head?: Uint8Array }[];
}

/**
 * A family's own converter to and from one other upstream protocol (it has no chat codecs): its client body to that
 * protocol's request, and that protocol's answer back to its client's shape. Pure; a body it cannot convert throws a
 * ProtocolError (a 400 to the client).
 */
export interface FamilyConversion {
  readonly request: (body: JsonObject, ctx: ConvertContext) => JsonObject;
  readonly response: (body: JsonObject, ctx: ConvertContext) => JsonObject;
}

/**
 * How a family beyond chat is billed and answered (the chat protocols need none: tokens, JSON or SSE). Every hook is
 * pure and total: a hostile body or answer gives zero, never a throw.
 */
export interface FamilyAccounting {
  /**
   * The reservation: the input's tokens, the most output tokens and units the answer can bill (SPEC §6: no overdraw).
   * `outputTokens` absent: the request's own output budget, else none (a family's answer is not text).
   */
  estimate(req: AccountedRequest): { promptTokens: number; outputTokens?: number; units: BillableUnits | null };
  /** What a JSON answer bills: the upstream's token usage when it reports one, and its units. */
  measure(answer: Record<string, unknown>, req: AccountedRequest): { usage: Usage | null; units: BillableUnits | null };
  /** What a non-JSON answer (audio bytes, a subtitle file) bills, from the request alone. Absent: the estimate. */
  measureBytes?(req: AccountedRequest): { usage: Usage | null; units: BillableUnits | null };
  /** Whether the answer to this request is JSON (default) or bytes relayed as they come (speech audio, `srt`/`text`). */
  answer?(req: AccountedRequest): 'json' | 'bytes';
}

/** What a Gemini-style path action does: `:streamGenerateContent` streams a generation, `:countTokens` is counted at the edge. */
export interface PathAction {
  kind: Operation | 'countTokens';
  stream: boolean;
}

/** The model and action a path names (`/v1beta/models/{model}:{action}`). */
export interface PathTarget {
  model: string;
  action: string;
}

/** The headers and query of a `GET /v1/models` call: the auth carrier tells which SDK asks. */
export interface CallerHints {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
}

/** Everything the gateway needs to know about one wire protocol on its client side. */
export interface ProtocolDescriptor {
  readonly name: WireProtocol;
  /** Where the client names the model: the JSON body's `model`, or the URL path (with an action). */
  readonly modelIn: 'body' | 'path';
  /** Body-model protocols: the POST routes whose body speaks this protocol (the gateway's hot routes). */
  readonly bodyRoutes: readonly BodyRoute[];
  /** Whether a body asks for a stream (default: `stream: true` on a generation). */
  readonly streams?: (body: Record<string, unknown>, operation: Operation) => boolean;
  /**
   * Families beyond chat: the 400 a request deserves before it is routed or reserved (a missing prompt, a bad count, a
   * file of the wrong kind), thrown as a ProtocolError naming the parameter. Absent: no check beyond the body's.
   */
  readonly validate?: (req: AccountedRequest) => void;
  /** Families beyond chat: the other upstream protocols this family converts to, by name (Images → Gemini, rerank → Voyage). */
  readonly conversions?: Readonly<Partial<Record<WireProtocol, FamilyConversion>>>;
  /**
   * A channel may name this protocol's endpoints in its `endpoints` (the families beyond chat, and completions, which
   * a declaring channel receives as they are instead of through Chat).
   */
  readonly declarable?: boolean;
  /** Families beyond chat: their units, reservation and answer kind. */
  readonly accounting?: FamilyAccounting;
  /**
   * Families that stream without chat codecs (speech, transcription events): what their events report (usage, the
   * end, an error). Absent: every event is only seen (an empty stream still fails).
   */
  readonly streamDecoder?: (ctx: ConvertContext) => StreamDecoder;
  /** Path-model protocols: the POST path prefixes under which `{model}:{action}` follows. */
  readonly pathRoutes: readonly string[];
  /** Path-model protocols: the actions served, by name (any other action is an unknown method). */
  readonly actions: Readonly<Record<string, PathAction>>;
  /** Path-model protocols: the model and action of what follows a path route; null when it names no action. */
  readonly parsePathTarget?: (rest: string) => PathTarget | null;
  /** Whether an error on this path is rendered in this protocol's shape (before or without a route). */
  readonly ownsPath: (path: string) => boolean;
  /**
   * The upstream answers with a stream whatever the request says (Kiro): a non-stream client's answer is that stream
   * aggregated into one response (conversion/stream-aggregator).
   */
  readonly streamOnly?: boolean;
  /** Chat protocols: conversion through the IR. Absent: not a chat protocol (embeddings have their own converter). */
  readonly codecs?: ChatCodecs;
  /** The content type of a stream answered to this protocol's clients. */
  readonly streamContentType: string;
  /** Client headers forwarded upstream when the upstream speaks the same protocol (API version, beta flags). */
  readonly passthroughHeaders: readonly string[];
  /**
   * `GET /v1/models` in this protocol's shape; `isCaller` says whether a caller speaks it (absent: the default shape).
   * `renderOne`: one model (`GET /v1/models/{id}`), the same object the list holds.
   */
  readonly modelList?: {
    isCaller?: (hints: CallerHints) => boolean;
    render: (ids: readonly string[]) => unknown;
    renderOne: (id: string) => unknown;
  };
  /** Token counting answered at the edge: the route (body-model) or action (path-model), its input and its answer. */
  readonly countTokens?: {
    route?: string;
    action?: string;
    input: (body: Record<string, unknown>) => Record<string, unknown>;
    answer: (tokens: number) => unknown;
  };
}
