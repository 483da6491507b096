import { detect, muteNamesOf, type Failure } from '../core/detect.js';
import { type AnnotationProblem, describeProblem, route, type NamespaceState } from '../core/mute.js';
import { ourAnnotations, projectPod, type PodState } from '../core/pod.js';
import { COMMAND_VARIABLES } from '../config.js';
import { InputError } from '../errors.js';
import { configOrReport } from './config.js';
import { errorText, jsonValues } from '../json-input.js';
import { inputName, usageError } from './usage.js';
import type { Command, CommandIO } from './types.js';
import { isObj, type Obj } from '../core/json.js';
import { kindOf } from '../core/kind.js';

export const CHECK_HELP = `Usage: podbell check [FILE|-] [--fail-on-failure] [--now TIME]

Reads pods and prints one JSON line per failure podbell would alert on.

Input: FILE, or standard input when FILE is '-' or absent. Any mix of
  a Pod, a PodList or List (kubectl get pods,namespaces -A -o json), a NamespaceList,
  a watch event {"type","object"} (kubectl get pods -A -w --output-watch-events -o json),
  and Namespace objects, as one JSON document or many: JSON lines, or
  pretty-printed documents one after another. Output is written as each
  document ends, so a live watch can be piped in.
  A pod seen again (a watch stream) reports only what is new, as the bot does.
  A Namespace mutes the pods that come after it (in a List: all its pods);
  with pods but no Namespace at all, check says once that namespace mutes were not applied.

Output, one JSON object per line and failure:
  {"namespace","pod","container","reason","exitCode","restartCount","message"}
  container is null for a pod-level failure (Evicted, DeadlineExceeded,
  Unschedulable, PendingTooLong, ...); pod is null for a pod without a name
  (a status pasted alone), judged all the same; exitCode and message are null
  when Kubernetes gives none.
  A crash is named by its cause (OOMKilled, Error, ...), also while the
  container waits in CrashLoopBackOff ("backOff": true).
  Extra keys, present only when true:
    "init": true        a classic init container
    "sidecar": true     a native sidecar (init container with restartPolicy Always)
    "ephemeral": true   an ephemeral debug container
    "backOff": true     the container now waits in CrashLoopBackOff after this crash
    "muted": true, "mutedWhy": "..."   muted by a Namespace in the input or a pod annotation
  Objects that are not pods or namespaces (Deployments, Services) are skipped
  with a note on standard error. An object without kind is a Pod when it has
  containers, container statuses or a pod phase.

Stuck pods: a pod unschedulable, or scheduled with its containers not started
(ContainerCreating, PodInitializing), for longer than PENDING_AFTER (from the
environment, default 10m) before --now is reported as Unschedulable or
PendingTooLong.

Options:
  --fail-on-failure   exit 1 when an unmuted failure was found (for CI)
  --now TIME          judge at this RFC 3339 time (default: the current time):
                      how long a pod has been stuck, and podbell.io/mute-until
  -h, --help          show this help

Exit status:
  0  the input was read (whether or not failures were found)
  1  --fail-on-failure was given and an unmuted failure was found
  2  bad usage, or input that cannot be read (the message names the file and line)
`;

/** Channel handed to route(); check prints no channel, only whether the failure is muted. */
const DEFAULT_CHANNEL = '#alerts';


interface Options {
  readonly file?: string;
  readonly failOnFailure: boolean;
  readonly now?: number;
  readonly help: boolean;
}

function parseArgs(argv: readonly string[]): Options | string {
  let file: string | undefined;
  let failOnFailure = false;
  let now: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') help = true;
    else if (a === '--fail-on-failure') failOnFailure = true;
    else if (a === '--now' || a.startsWith('--now=')) {
      const v = a === '--now' ? argv[++i] : a.slice(6);
      const t = v === undefined ? NaN : Date.parse(v);
      if (!Number.isFinite(t)) return `--now needs an RFC 3339 time such as 2026-11-21T09:00:00Z, got ${JSON.stringify(v ?? '')}`;
      now = t;
    } else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else if (file !== undefined) return `one input at a time: got ${JSON.stringify(file)} and ${JSON.stringify(a)}`;
    else file = a;
  }
  return { ...(file !== undefined && file !== '-' && { file }), failOnFailure, ...(now !== undefined && { now }), help };
}


/** The state of one run of `podbell check`: pods seen (for watch streams) and namespaces (for mutes). */
class Checker {
  private readonly pods = new Map<string, PodState>();
  private readonly namespaces = new Map<string, NamespaceState>();
  private readonly problemsSaid = new Set<string>();
  private sawPod = false;
  private sawNamespace = false;
  unmutedFailures = 0;

  constructor(
    private readonly io: CommandIO,
    private readonly now: number,
    private readonly pendingAfterMs: number,
  ) {}

  private note(where: string, text: string): void {
    this.io.stderr.write(`podbell check: ${where}: ${text}\n`);
  }

  /** One top-level value: a document, a list item, or a watch event's object. */
  value(v: unknown, where: string, impliedKind?: string): void {
    if (Array.isArray(v)) return this.items(v, where, undefined);
    if (!isObj(v)) return this.note(where, `skipped ${v === null ? 'null' : typeof v}: expected a Kubernetes object`);
    const kind = typeof v.kind === 'string' ? v.kind : impliedKind;
    if ((kind === undefined || kind === 'WatchEvent') && typeof v.type === 'string' && 'object' in v) return this.event(v.type, v.object, where);
    if (Array.isArray(v.items)) {
      const itemKind = kind?.endsWith('List') && kind !== 'List' ? kind.slice(0, -4) : undefined;
      return this.items(v.items, where, itemKind);
    }
    // Without kind, judge by shape as replay does: a Namespace has spec and status too.
    const shaped = kind ?? (isObj(v.status) || isObj(v.spec) || isObj(v.metadata) ? kindOf(v) : undefined);
    if (shaped === 'Pod') return this.pod(v, where);
    if (shaped === 'Namespace') return this.namespace(v, where);
    if (kind === 'Status') return this.note(where, `the input holds an API error: ${typeof v.message === 'string' ? v.message : 'Status without message'}`);
    const what = kind ?? 'object without kind';
    this.note(where, `skipped ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} (podbell check reads Pods, Namespaces, lists and watch events of them)`);
  }

  /** List items: Namespaces first, so a List from `kubectl get ns,pods` mutes its own pods. */
  private items(items: unknown[], where: string, itemKind: string | undefined): void {
    // An item's own kind, else the list's (PodList -> Pod), else its shape.
    const isNs = (it: unknown) => isObj(it) && (typeof it.kind === 'string' ? it.kind : (itemKind ?? kindOf(it))) === 'Namespace';
    items.forEach((it, i) => isNs(it) && this.value(it, `${where} (item ${i + 1})`, itemKind));
    items.forEach((it, i) => !isNs(it) && this.value(it, `${where} (item ${i + 1})`, itemKind));
  }

  private event(type: string, object: unknown, where: string): void {
    if (type === 'BOOKMARK') return;
    if (type === 'ERROR') return this.note(where, `watch ERROR event: ${isObj(object) && typeof object.message === 'string' ? object.message : JSON.stringify(object)}`);
    if (type === 'DELETED') {
      if (!isObj(object)) return;
      if (kindOf(object) === 'Namespace') {
        const name = isObj(object.metadata) ? object.metadata.name : undefined;
        if (typeof name === 'string') this.namespaces.delete(name);
        return;
      }
      const gone = projectPod(object);
      if (gone) this.pods.delete(gone.uid);
      return;
    }
    this.value(object, where);
  }

  private namespace(v: Obj, where: string): void {
    const meta = isObj(v.metadata) ? v.metadata : undefined;
    const name = typeof meta?.name === 'string' ? meta.name : undefined;
    if (!name) return this.note(where, 'skipped a Namespace without metadata.name');
    const annotations = ourAnnotations(meta?.annotations);
    this.sawNamespace = true;
    this.namespaces.set(name, annotations ? { name, annotations } : { name });
  }

  private pod(v: Obj, where: string): void {
    const projected = projectPod(v, { maxMessage: Infinity, unnamed: true });
    if (!projected) return this.note(where, 'skipped a Pod that could not be read');
    // A pod without name or uid is told apart from others by where it was read.
    const next = projected.uid === '' ? { ...projected, uid: `unnamed pod at ${where}` } : projected;
    this.sawPod = true;
    const failures = detect(this.pods.get(next.uid), next, { judgedAt: this.now, pendingAfterMs: this.pendingAfterMs });
    if (next.conditions?.unreadableSince && next.phase === 'Pending') this.note(where, `pod ${next.name || '(unnamed)'} is Pending, but when its PodScheduled condition changed cannot be read: not judged as stuck`);
    this.pods.set(next.uid, next);
    for (const f of failures) this.print(next, f, where);
  }

  /** Malformed mute annotations: said once each, on stderr. */
  private reportProblems(problems: readonly AnnotationProblem[], where: string, channel: string): void {
    for (const p of problems) {
      const subject = p.pod !== undefined ? `pod ${p.namespace}/${p.pod}` : `namespace ${p.namespace}`;
      const key = `${subject}\u0000${p.annotation}\u0000${p.value}`;
      if (this.problemsSaid.has(key)) continue;
      this.problemsSaid.add(key);
      this.note(where, `${subject}: ${describeProblem(p, channel === DEFAULT_CHANNEL ? 'SLACK_CHANNEL' : channel)}`);
    }
  }

  /** After the whole input: pods judged without any Namespace could not see namespace mutes; said once. */
  finish(): void {
    if (this.sawPod && !this.sawNamespace) {
      this.io.stderr.write('podbell check: the input has pods but no Namespace objects, so mutes set on namespaces were not applied; include them: kubectl get pods,namespaces -A -o json | podbell check\n');
    }
  }

  private print(pod: PodState, f: Failure, where: string): void {
    const line: Record<string, unknown> = {
      namespace: f.namespace,
      pod: f.pod === '' ? null : f.pod,
      container: f.container === '' ? null : f.container,
      reason: f.reason,
      exitCode: f.exitCode ?? null,
      restartCount: f.restartCount,
      message: f.message ?? null,
    };
    if (f.init) line.init = true;
    if (f.sidecar) line.sidecar = true;
    if (f.ephemeral) line.ephemeral = true;
    if (f.backOff) line.backOff = true;
    const routes = muteNamesOf(f).map((name) => route(pod, this.namespaces.get(pod.namespace), DEFAULT_CHANNEL, name, this.now));
    const r = routes.find((x) => x.muted) ?? routes[0]!;
    this.reportProblems(r.problems ?? [], where, r.channel);
    if (r.muted) {
      line.muted = true;
      line.mutedWhy = r.why ?? 'muted';
    } else {
      this.unmutedFailures++;
    }
    this.io.stdout.write(`${JSON.stringify(line)}\n`);
  }
}


/** `podbell check [FILE|-]`: see CHECK_HELP. */
export const checkCommand: Command = async (argv, io) => {
  const opts = parseArgs(argv);
  if (typeof opts === 'string') {
    return usageError(io, 'check', opts);
  }
  if (opts.help) {
    io.stdout.write(CHECK_HELP);
    return 0;
  }
  // Only PENDING_AFTER matters here: the rest of the bot's environment is not check's business.
  const config = configOrReport(io, COMMAND_VARIABLES.check);
  if (!config) return 2;
  const source = inputName(opts.file);
  const checker = new Checker(io, opts.now ?? Date.now(), config.pendingAfterMs);
  try {
    for await (const { value, line } of jsonValues(opts.file, io.stdin, source)) checker.value(value, `${source}:${line}`);
  } catch (e) {
    if (e instanceof InputError) io.stderr.write(`podbell check: ${e.message}\n`);
    else io.stderr.write(`podbell check: cannot read ${source}: ${errorText(e)}\n`);
    return 2;
  }
  checker.finish();
  return opts.failOnFailure && checker.unmutedFailures > 0 ? 1 : 0;
};
