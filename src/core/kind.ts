import { obj, type Obj } from './json.js';

/** status.phase values of a Pod; a Namespace's are Active and Terminating. */
const POD_PHASES: ReadonlySet<unknown> = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

/**
 * Pod or Namespace: by `kind` when present; otherwise by shape, since LIST items, some tools and
 * people pasting objects drop `kind`. A pod shows itself by a namespace in its metadata, containers in
 * its spec, container statuses, or a pod phase (a status-only evicted pod has nothing else); a
 * namespace has none of these.
 */
export function kindOf(object: Obj): string {
  if (typeof object.kind === 'string') return object.kind;
  const meta = obj(object.metadata);
  const spec = obj(object.spec);
  const status = obj(object.status);
  if (typeof meta?.namespace === 'string' || Array.isArray(spec?.containers)) return 'Pod';
  if (Array.isArray(status?.containerStatuses) || Array.isArray(status?.initContainerStatuses) || POD_PHASES.has(status?.phase)) return 'Pod';
  return 'Namespace';
}
