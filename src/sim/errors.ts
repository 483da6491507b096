import { PodbellError } from '../errors.js';

/** A request the simulated API server refuses: carries the HTTP status and the Status reason kubectl shows. */
export class SimApiError extends PodbellError {
  readonly status: number;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(status: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(`sim_${reason.toLowerCase()}`, message);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }

  /** The metav1.Status object the real API server would send. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details && { details: this.details }),
      code: this.status,
    };
  }
}

export const notFound = (resource: string, name: string): SimApiError =>
  new SimApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
export const badRequest = (message: string): SimApiError => new SimApiError(400, 'BadRequest', message);
