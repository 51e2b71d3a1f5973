import type { IrRequest, IrResponse } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import type { StreamDecoder, StreamEncoder } from '../core/stream.types';
import type { ConvertContext, Operation, WireProtocol } from '../protocol.types';

/** A chat protocol's codecs: its wire shapes to and from the IR, for requests, responses and streams. */
export interface ChatCodecs {
  readonly decodeRequest: (body: JsonObject) => IrRequest;
  readonly encodeRequest: (ir: IrRequest, ctx: ConvertContext) => JsonObject;
  readonly decodeResponse: (body: JsonObject, ctx?: ConvertContext) => IrResponse;
  readonly encodeResponse: (ir: IrResponse, ctx: ConvertContext) => JsonObject;
  readonly streamDecoder: (ctx: ConvertContext) => StreamDecoder;
  readonly streamEncoder: (ctx: ConvertContext) => StreamEncoder;
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
  readonly bodyRoutes: readonly string[];
  /** Body-model protocols: what every call of those routes does. */
  readonly operation: Operation;
  /** Path-model protocols: the POST path prefixes under which `{model}:{action}` follows. */
  readonly pathRoutes: readonly string[];
  /** Path-model protocols: the actions served, by name (any other action is an unknown method). */
  readonly actions: Readonly<Record<string, PathAction>>;
  /** Path-model protocols: the model and action of what follows a path route; null when it names no action. */
  readonly parsePathTarget?: (rest: string) => PathTarget | null;
  /** Whether an error on this path is rendered in this protocol's shape (before or without a route). */
  readonly ownsPath: (path: string) => boolean;
  /** Chat protocols: conversion through the IR. Absent: not a chat protocol (embeddings have their own converter). */
  readonly codecs?: ChatCodecs;
  /** The content type of a stream answered to this protocol's clients. */
  readonly streamContentType: string;
  /** Client headers forwarded upstream when the upstream speaks the same protocol (API version, beta flags). */
  readonly passthroughHeaders: readonly string[];
  /** `GET /v1/models` in this protocol's shape; `isCaller` says whether a caller speaks it (absent: the default shape). */
  readonly modelList?: {
    isCaller?: (hints: CallerHints) => boolean;
    render: (ids: readonly string[]) => unknown;
  };
  /** Token counting answered at the edge: the route (body-model) or action (path-model), its input and its answer. */
  readonly countTokens?: {
    route?: string;
    action?: string;
    input: (body: Record<string, unknown>) => Record<string, unknown>;
    answer: (tokens: number) => unknown;
  };
}
