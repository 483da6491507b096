import { CONTAINER_FAILURE_REASONS, POD_FAILURE_REASONS } from './detect.js';
import { parseChannel } from './channel.js';
import { ourAnnotations, type PodState } from './pod.js';
import { type Obj, obj } from './json.js';
import { formatInstant, parseRfc3339 } from './rfc3339.js';

/**
 * Mutes and routing by annotation (docs/annotations.md is the user-facing contract).
 *
 * Annotations are compiled into a policy once per namespace (or pod) change, so the per-failure call,
 * routeFailure(), is a few property reads. Everything here is pure and total: bad values become
 * AnnotationProblems for the caller to log and count, never exceptions.
 */

/** The annotation names podbell reads (docs/design.md#annotations, CONTRACT: keep them exactly). */
export const ANNOTATION = {
  mute: 'podbell.io/mute',
  muteUntil: 'podbell.io/mute-until',
  muteReasons: 'podbell.io/mute-reasons',
  channel: 'podbell.io/channel',
  ignore: 'podbell.io/ignore',
  kubeSlackIgnore: 'kube-slack/ignore-pod',
  kubeSlackChannel: 'kube-slack/slack-channel',
  logs: 'podbell.io/logs',
} as const;

/**
 * The failure reasons podbell alerts on (docs/design.md#detection), the only names podbell.io/mute-reasons accepts:
 * a name podbell never reports would mute nothing, so it is reported as a problem instead.
 */
export const MUTABLE_REASONS: readonly string[] = Object.freeze([...CONTAINER_FAILURE_REASONS, ...POD_FAILURE_REASONS]);

/** Lower-cased name -> canonical name, so `oomkilled` and `OOMKilled` mean the same reason. */
const REASON_BY_LOWER: ReadonlyMap<string, string> = new Map(MUTABLE_REASONS.map((r) => [r.toLowerCase(), r]));
const PODBELL_ANNOTATIONS: ReadonlySet<string> = new Set(Object.values(ANNOTATION).filter((a) => a.startsWith('podbell.io/')));

/** The part of a Namespace podbell keeps: its name and the annotations it reads. */
export interface NamespaceState {
  readonly name: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Route {
  /** Where this pod's incidents go (normalised: `#name` or a channel ID). */
  readonly channel: string;
  readonly muted: boolean;
  /** Why it is muted, for logs and `podbell check`. */
  readonly why?: string;
  /** When a time-limited mute ends (ms since epoch); absent when muted for good or not muted. */
  readonly until?: number;
  /** Only from route(): the bad annotation values met on the way (routeFailure callers hold the policies). */
  readonly problems?: readonly AnnotationProblem[];
}

/** A malformed annotation value: the caller logs it once per (namespace, pod, annotation, value) and counts it. */
export interface AnnotationProblem {
  readonly namespace: string;
  /** Set when the annotation is on a pod rather than on the namespace. */
  readonly pod?: string;
  readonly annotation: string;
  /** The value as written (cut to 200 characters: annotations can be huge). */
  readonly value: string;
  /** What is wrong and what podbell does instead, as a sentence. */
  readonly why: string;
  /** A channel value that is skipped: the caller, who knows the route, names where alerts go instead. */
  readonly skippedChannel?: true;
}

/**
 * The one wording of a problem for logs and `podbell check`: annotation, value, what is wrong and
 * what happens instead. `channel`: where this object's alerts go now, named for a skipped channel.
 */
export function describeProblem(p: AnnotationProblem, channel: string | undefined): string {
  const instead = p.skippedChannel ? `; alerts go to ${channel ?? 'the next channel in precedence'} instead` : '';
  return `${p.annotation}=${JSON.stringify(p.value)}: ${p.why}${instead}`;
}

/** A mute compiled from podbell.io/mute, mute-until and mute-reasons on one object. */
interface CompiledMute {
  /** The annotations that make it, for the `why` sentence. */
  readonly by: readonly string[];
  /** Muted while now < until; absent: no end. */
  readonly until?: number;
  /** Only these reasons are muted; absent: every reason. Never empty. */
  readonly reasons?: ReadonlySet<string>;
}

/**
 * The compiled annotations of one namespace or one pod. Plain immutable data: compare or replace it
 * whole when the object changes.
 */
export interface Policy {
  readonly namespace: string;
  /** Set for a pod's policy. */
  readonly pod?: string;
  /** Normalised channel from podbell.io/channel, else kube-slack/slack-channel. */
  readonly channel?: string;
  /** The annotation that ignores the pod (pods only). */
  readonly ignoredBy?: string;
  readonly mute?: CompiledMute;
  /** podbell.io/logs: false forbids fetching container logs for evidence; absent: not said here. */
  readonly logs?: boolean;
  readonly problems: readonly AnnotationProblem[];
}
export type NamespacePolicy = Policy;
export type PodPolicy = Policy;


/**
 * Projects a V1Namespace-shaped object (parsed JSON) to its name and the annotations podbell reads.
 * Never throws: no metadata.name, or a `kind` other than Namespace, yields undefined.
 */
export function projectNamespace(raw: unknown): NamespaceState | undefined {
  const ns = obj(raw);
  const meta = obj(ns?.metadata);
  const name = meta?.name;
  if (!ns || !meta || typeof name !== 'string' || name === '') return undefined;
  if (ns.kind !== undefined && ns.kind !== 'Namespace') return undefined;
  const annotations = ourAnnotations(meta.annotations);
  return annotations ? { name, annotations } : { name };
}

/** `true`/`yes` and `false`/`no`, any case, surrounding spaces ignored; anything else is undefined. */
function parseBool(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (s === 'true' || s === 'yes') return true;
  if (s === 'false' || s === 'no') return false;
  return undefined;
}

const MAX_VALUE_CHARS = 200;
const cut = (s: string): string => (s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s);

/** How logs and problems name an object: `namespace payments` or `pod payments/api-1`. */
const subjectOf = (p: { readonly namespace: string; readonly pod?: string | undefined }): string =>
  p.pod === undefined ? `namespace ${p.namespace}` : `pod ${p.namespace}/${p.pod}`;

/** One object being compiled: how its problems name it, and the one place they are collected. */
interface Subject {
  /** subjectOf the object, as problem sentences name it. */
  readonly where: string;
  readonly report: (annotation: string, value: string, why: string, skippedChannel?: boolean) => void;
}

/** A Subject collecting into `problems`, so every reader below reports in the order it is called. */
function subjectCollecting(namespace: string, pod: string | undefined, problems: AnnotationProblem[]): Subject {
  return {
    where: subjectOf({ namespace, pod }),
    report: (annotation, value, why, skippedChannel = false) =>
      problems.push({ namespace, ...(pod !== undefined && { pod }), annotation, value: cut(value), why, ...(skippedChannel && { skippedChannel }) }),
  };
}

/** A true/false annotation (see parseBool); undefined when absent or unreadable, which is reported saying what happens `instead`. */
function readBool(a: Readonly<Record<string, string>>, k: string, s: Subject, instead: string): boolean | undefined {
  const text = a[k];
  const value = text === undefined ? undefined : parseBool(text);
  if (text !== undefined && value === undefined) s.report(k, text, `${k} on ${s.where} must be "true" or "false" (also yes/no); ${instead}`);
  return value;
}

/** podbell.io/mute-until in ms since the epoch; undefined when absent or malformed (a malformed value is reported). */
function readMuteUntil(a: Readonly<Record<string, string>>, s: Subject): number | undefined {
  const text = a[ANNOTATION.muteUntil];
  if (text === undefined) return undefined;
  const until = parseRfc3339(text);
  const why = `${ANNOTATION.muteUntil} on ${s.where} is not an RFC 3339 time with a zone, like 2026-11-22T06:00:00Z or 2026-11-22T07:00:00+01:00; ${s.where} is not muted`;
  if (until === undefined) s.report(ANNOTATION.muteUntil, text, why);
  return until;
}

/**
 * podbell.io/mute-reasons as canonical reason names; undefined when absent. Unknown names are reported
 * and dropped, so the set can be empty: then nothing is left to mute.
 */
function readMuteReasons(a: Readonly<Record<string, string>>, s: Subject): Set<string> | undefined {
  const text = a[ANNOTATION.muteReasons];
  if (text === undefined) return undefined;
  const reasons = new Set<string>();
  const unknown: string[] = [];
  for (const item of text.split(',')) {
    const name = item.trim();
    if (name === '') continue;
    const known = REASON_BY_LOWER.get(name.toLowerCase());
    if (known) reasons.add(known);
    else unknown.push(name);
  }
  if (unknown.length > 0 || reasons.size === 0) {
    const what = unknown.length > 0 ? `podbell never reports ${unknown.map((u) => JSON.stringify(cut(u))).join(', ')}` : 'it lists no reason';
    const effect = reasons.size > 0 ? `the mute still applies to ${[...reasons].join(', ')}` : `${s.where} is not muted`;
    s.report(ANNOTATION.muteReasons, text, `${ANNOTATION.muteReasons} on ${s.where}: ${what} (known: ${MUTABLE_REASONS.join(', ')}); ${effect}`);
  }
  return reasons;
}

/**
 * The mute of one object. Each annotation present narrows the mute; a malformed mute or mute-until
 * disables the whole mute of this object, because a half-read mute could silence more, or longer,
 * than was asked.
 */
function compileMute(a: Readonly<Record<string, string>>, s: Subject): CompiledMute | undefined {
  const switchedOn = readBool(a, ANNOTATION.mute, s, `${s.where} is not muted`);
  const until = readMuteUntil(a, s);
  const reasons = readMuteReasons(a, s);
  const broken = (a[ANNOTATION.mute] !== undefined && switchedOn === undefined) || (a[ANNOTATION.muteUntil] !== undefined && until === undefined);
  const asked = switchedOn === true || a[ANNOTATION.muteUntil] !== undefined || a[ANNOTATION.muteReasons] !== undefined;
  if (!asked || broken || switchedOn === false || reasons?.size === 0) return undefined;
  const by = [ANNOTATION.mute, ANNOTATION.muteReasons, ANNOTATION.muteUntil].filter((k) => a[k] !== undefined);
  return { by, ...(until !== undefined && { until }), ...(reasons !== undefined && { reasons }) };
}

/**
 * Which annotation ignores a pod, if any. A valid podbell.io/ignore decides; otherwise
 * kube-slack/ignore-pod keeps kube-slack's meaning (any non-empty value ignores; an explicit false/no
 * does not) for a quiet migration. On a namespace both are reported: they are read on pods only.
 */
function readIgnore(a: Readonly<Record<string, string>>, isPod: boolean, s: Subject): string | undefined {
  const ignoreText = a[ANNOTATION.ignore];
  const kubeSlackIgnoreText = a[ANNOTATION.kubeSlackIgnore];
  if (!isPod) {
    for (const [k, v] of [[ANNOTATION.ignore, ignoreText], [ANNOTATION.kubeSlackIgnore, kubeSlackIgnoreText]] as const) {
      if (v !== undefined) s.report(k, v, `${k} is read on pods only; to silence ${s.where} use ${ANNOTATION.mute}=true`);
    }
    return undefined;
  }
  const kubeSlack = kubeSlackIgnoreText !== undefined && kubeSlackIgnoreText.trim() !== '' && parseBool(kubeSlackIgnoreText) !== false;
  const own = readBool(a, ANNOTATION.ignore, s, kubeSlack ? `${ANNOTATION.kubeSlackIgnore} still ignores the pod` : 'the pod is not ignored');
  if (own === true) return ANNOTATION.ignore;
  return own === undefined && kubeSlack ? ANNOTATION.kubeSlackIgnore : undefined;
}

/**
 * The normalised channel: podbell.io/channel wins over kube-slack/slack-channel; a bad one is skipped,
 * so the next in precedence (ending with the default channel) receives the alerts rather than nobody.
 */
function readChannel(a: Readonly<Record<string, string>>, s: Subject): string | undefined {
  let channel: string | undefined;
  for (const k of [ANNOTATION.channel, ANNOTATION.kubeSlackChannel]) {
    const v = a[k];
    if (v === undefined) continue;
    const c = parseChannel(v);
    if (c === undefined) s.report(k, v, `${k} on ${s.where} is not a channel name like #team-payments or a channel ID like C0123456789`, true);
    else channel ??= c;
  }
  return channel;
}

/** podbell.io/logs; undefined when absent. An unreadable value counts as false: when in doubt, no log text leaves the cluster. */
function readLogs(a: Readonly<Record<string, string>>, s: Subject): boolean | undefined {
  if (a[ANNOTATION.logs] === undefined) return undefined;
  return readBool(a, ANNOTATION.logs, s, `no logs are fetched for ${s.where}`) ?? false;
}

/** Reports podbell.io annotations podbell does not read: a misspelt one would otherwise do nothing, silently. */
function reportUnknownAnnotations(a: Readonly<Record<string, string>>, s: Subject): void {
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('podbell.io/') && !PODBELL_ANNOTATIONS.has(k)) {
      s.report(k, v, `${k} on ${s.where} is not an annotation podbell reads (known: ${[...PODBELL_ANNOTATIONS].join(', ')}); it has no effect`);
    }
  }
}

/**
 * Compiles the annotations of one object (namespace or pod) into a Policy. The readers run in a fixed
 * order (mute, ignore, channel, logs, unknown names) because that is the order problems are reported in.
 */
function compile(namespace: string, pod: string | undefined, a: Readonly<Record<string, string>>): Policy {
  const problems: AnnotationProblem[] = [];
  const s = subjectCollecting(namespace, pod, problems);
  const mute = compileMute(a, s);
  const ignoredBy = readIgnore(a, pod !== undefined, s);
  const channel = readChannel(a, s);
  const logs = readLogs(a, s);
  reportUnknownAnnotations(a, s);
  return {
    namespace,
    ...(pod !== undefined && { pod }),
    ...(channel !== undefined && { channel }),
    ...(ignoredBy !== undefined && { ignoredBy }),
    ...(mute !== undefined && { mute }),
    ...(logs !== undefined && { logs }),
    problems,
  };
}

/** Whether evidence may include the pod's logs: the pod's podbell.io/logs wins, then the namespace's; default yes. */
export function logsAllowed(ns: NamespacePolicy | undefined, pod: PodPolicy | undefined): boolean {
  return pod?.logs ?? ns?.logs ?? true;
}

const NO_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({});

/** Compiles a namespace's annotations; call it when the namespace is added or changed, not per event. */
export function compileNamespacePolicy(ns: NamespaceState): NamespacePolicy {
  return compile(ns.name, undefined, ns.annotations ?? NO_ANNOTATIONS);
}

/** Compiles a pod's own annotations (most pods have none, which costs next to nothing). */
export function compilePodPolicy(pod: Pick<PodState, 'namespace' | 'name' | 'annotations'>): PodPolicy {
  if (!pod.annotations) return { namespace: pod.namespace, pod: pod.name, problems: [] };
  return compile(pod.namespace, pod.name, pod.annotations);
}

/** Whether `m` mutes `reason` at `now`. */
const mutes = (m: CompiledMute | undefined, reason: string, now: number): m is CompiledMute =>
  m !== undefined && (m.until === undefined || now < m.until) && (m.reasons === undefined || m.reasons.has(reason));

/** The `why` sentence; `reasons` names what is muted when the mute is limited to some reasons. */
function muteWhy(p: Policy, m: CompiledMute, reasons: string): string {
  const head = m.reasons ? `${reasons} in ${subjectOf(p)}` : subjectOf(p);
  const until = m.until !== undefined ? ` until ${formatInstant(m.until)}` : '';
  return `${head} muted${until} by ${m.by.join(' and ')}`;
}

/**
 * What this policy silences at `now`, as a sentence for logs when a namespace changes or a mute lifts
 * ("namespace payments muted until 2026-11-22T06:00:00Z by podbell.io/mute-until"); undefined when it
 * silences nothing.
 */
export function describeMute(policy: Policy, now: number): string | undefined {
  if (policy.ignoredBy !== undefined) return `${subjectOf(policy)} ignored by ${policy.ignoredBy}`;
  const m = policy.mute;
  if (!m || (m.until !== undefined && now >= m.until)) return undefined;
  return muteWhy(policy, m, [...(m.reasons ?? [])].join(', '));
}

/**
 * The per-failure decision: where the alert goes and whether it is muted. Channel precedence: pod,
 * then namespace, then defaultChannel. Muted when the pod is ignored or either object's mute covers
 * `reason` at `now`; `until` is when the longest of those mutes ends (absent if one never ends).
 */
export function routeFailure(ns: NamespacePolicy | undefined, pod: PodPolicy | undefined, reason: string, now: number, defaultChannel: string): Route {
  if (!Number.isFinite(now)) throw new TypeError(`routeFailure: now must be a finite number of ms, got ${now}`);
  if (typeof defaultChannel !== 'string' || defaultChannel === '') throw new TypeError('routeFailure: defaultChannel must be a non-empty string');
  const channel = pod?.channel ?? ns?.channel ?? defaultChannel;
  if (pod?.ignoredBy !== undefined) return { channel, muted: true, why: `${subjectOf(pod)} ignored by ${pod.ignoredBy}` };
  const podMute = pod && mutes(pod.mute, reason, now) ? pod.mute : undefined;
  const nsMute = ns && mutes(ns.mute, reason, now) ? ns.mute : undefined;
  if (!podMute && !nsMute) return { channel, muted: false };
  // The mute that lasts longest explains the route: it is the one a user must lift to hear alerts.
  const podLasts = podMute !== undefined && (nsMute === undefined || podMute.until === undefined || (nsMute.until !== undefined && podMute.until >= nsMute.until));
  const [p, m] = podLasts ? [pod!, podMute!] : [ns!, nsMute!];
  return { channel, muted: true, why: muteWhy(p, m, reason), ...(m.until !== undefined && { until: m.until }) };
}

/**
 * When this policy's mute state changes by itself: the mute-until instant while it is still ahead,
 * else undefined. The pipeline sets a Clock timer for it to report what is still failing once a
 * mute lifts.
 */
export function nextChange(policy: Policy, now: number): number | undefined {
  const until = policy.mute?.until;
  return until !== undefined && now < until ? until : undefined;
}

/**
 * Compatibility wrapper for one-off callers (`podbell check`, tests): compiles both objects on each
 * call and returns their problems too. The pipeline should compile once and call routeFailure.
 */
export function route(pod: PodState, ns: NamespaceState | undefined, defaultChannel: string, reason: string, now: number): Route {
  const podPolicy = compilePodPolicy(pod);
  const nsPolicy = ns ? compileNamespacePolicy(ns) : undefined;
  const r = routeFailure(nsPolicy, podPolicy, reason, now, defaultChannel);
  const problems = [...(nsPolicy?.problems ?? []), ...podPolicy.problems];
  return problems.length > 0 ? { ...r, problems } : r;
}
