/** Thrown by converters for client bodies that cannot be turned into a valid upstream request. */
export class ProtocolError extends Error {
  status: number;
  type: string;
  param?: string;

  constructor(message: string, options: { status?: number; type?: string; param?: string } = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.status = options.status ?? 400;
    this.type = options.type ?? 'invalid_request_error';
    if (options.param !== undefined) this.param = options.param;
  }
}
