/**
 * The one base of every domain error. `code` is stable (machine-readable), `status` is the HTTP status the
 * edge renders it with, in the inbound protocol's shape. Domain errors cross the bus as `SerializedDomainError`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toJSON(): SerializedDomainError {
    return { domainError: { code: this.code, status: this.status, message: this.message, details: this.details } };
  }

  static is(value: unknown): value is SerializedDomainError {
    return typeof value === 'object' && value !== null && 'domainError' in value;
  }

  static from(value: SerializedDomainError): DomainError {
    const e = value.domainError;
    return new DomainError(e.code, e.status, e.message, e.details ?? {});
  }
}

export interface SerializedDomainError {
  domainError: { code: string; status: number; message: string; details?: Record<string, unknown> };
}

export const notFound = (what: string) => new DomainError('not_found', 404, `${what} not found`);
export const badRequest = (message: string, details: Record<string, unknown> = {}) => new DomainError('invalid_request', 400, message, details);
