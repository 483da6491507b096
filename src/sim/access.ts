import type { IncomingMessage } from 'node:http';
import { SimApiError } from './errors.js';
import { requestAttributes, type Route, type SimRequestAttributes, type SimVerb } from './routes.js';
import { SIM_API_VERSIONS } from './store.js';

/**
 * Who may do what on the sim: bearer tokens (401) and an RBAC-like authorizer (403) with the
 * messages a real API server sends. The authorizer can be replaced while the server runs
 * (SimServer.authorize), so it lives here once and the server's property reads and writes it.
 */
export class SimAccess {
  authorize: ((a: SimRequestAttributes) => boolean) | undefined;
  readonly #tokens: ReadonlySet<string>;
  readonly #requireToken: boolean;

  /**
   * `tokens` empty: every request is let through. Otherwise a request with a wrong Authorization
   * header gets 401, and one with none only when `requireToken` (kubectl sends none over http://).
   */
  constructor(tokens: ReadonlySet<string>, requireToken: boolean, authorize: ((a: SimRequestAttributes) => boolean) | undefined) {
    this.#tokens = tokens;
    this.#requireToken = requireToken;
    this.authorize = authorize;
  }

  authenticate(req: IncomingMessage): void {
    const auth = req.headers.authorization;
    if (this.#tokens.size === 0 || (auth === undefined && !this.#requireToken)) return;
    if (auth?.startsWith('Bearer ') && this.#tokens.has(auth.slice('Bearer '.length))) return;
    throw new SimApiError(401, 'Unauthorized', 'Unauthorized');
  }

  /** 403 Forbidden, worded like a real API server refusing the podbell service account. */
  check(route: Route, verb: SimVerb): void {
    if (!this.authorize || this.authorize(requestAttributes(route, verb))) return;
    const scope = route.namespace ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
    const group = SIM_API_VERSIONS[route.resource].split('/').slice(0, -1).join('');
    const what = `${route.resource}${route.name ? ` "${route.name}"` : ''}`;
    const resource = `${route.resource}${route.subresource ? `/${route.subresource}` : ''}`;
    throw new SimApiError(403, 'Forbidden', `${what} is forbidden: User "system:serviceaccount:podbell:podbell" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`, {
      kind: route.resource,
      ...(route.name && { name: route.name }),
    });
  }
}
