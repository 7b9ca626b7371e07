import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GatehouseError, isGatehouseError } from '@gatehouse/core';

/** The one mapping from errors to HTTP responses in the API: `{ error: { code, message } }`. */
@Catch()
export class GatehouseExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (isGatehouseError(exception)) {
      if (exception.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="gatehouse"');
      res.status(exception.httpStatus).json(exception.toJSON());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      res.status(status).json({ error: { code: status === 404 ? 'not_found' : 'bad_request', message: exception.message } });
      return;
    }
    res.status(500).json(new GatehouseError('internal', 'Internal server error.').toJSON());
  }
}
