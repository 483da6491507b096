import { obj, type Obj } from './json.js';

/**
 * Pod or Namespace: by `kind` when present; otherwise by shape, since LIST items and some tools
 * drop `kind`: a pod has a namespace in its metadata, or containers; a namespace has neither.
 */
export function kindOf(object: Obj): string {
  if (typeof object.kind === 'string') return object.kind;
  const meta = obj(object.metadata);
  const spec = obj(object.spec);
  const status = obj(object.status);
  if (typeof meta?.namespace === 'string' || Array.isArray(spec?.containers) || Array.isArray(status?.containerStatuses)) return 'Pod';
  return 'Namespace';
}
