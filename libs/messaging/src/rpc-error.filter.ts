import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { ZodError } from 'zod';
import { type Observable, throwError } from 'rxjs';

/** Turns whatever a message handler throws into a SerializedDomainError the caller's Bus rebuilds. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(RpcErrorFilter.name);

  catch(exception: unknown): Observable<never> {
    if (exception instanceof DomainError) return throwError(() => exception.toJSON());
    if (exception instanceof ZodError) {
      const issue = exception.issues[0];
      const field = issue?.path.join('.') || 'body';
      return throwError(() => new DomainError('invalid_request', 400, `${field}: ${issue?.message ?? 'invalid'}`, { field }).toJSON());
    }
    this.logger.error((exception as Error)?.stack ?? String(exception));
    return throwError(() => new DomainError('internal', 500, 'internal error').toJSON());
  }
}
