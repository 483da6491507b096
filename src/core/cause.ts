/**
 * The cause line: one plain-language sentence saying why a container failed, derived from what the
 * kubelet reported (reason, exit code, termination message), the container's memory limit and the
 * pod's recent Warning Events. Pure and total: unknown combinations fall back to the reason.
 * The result is plain text; renders escape it like all cluster text.
 */

/** The pod's Warning Events of one reason, folded: how many, and the latest message. */
export interface FoldedWarning {
  readonly reason: string;
  readonly count: number;
  readonly message: string;
  /** when the latest of them happened, ms since the epoch */
  readonly lastAt: number;
}

export interface CauseInput {
  readonly reason: string;
  readonly exitCode?: number | undefined;
  readonly message?: string | undefined;
  /** The reason of the container's previous run (lastState.terminated.reason), e.g. OOMKilled. */
  readonly lastReason?: string | undefined;
  /** resources.limits.memory as written in the spec, e.g. `256Mi`. */
  readonly memoryLimit?: string | undefined;
  readonly warnings?: readonly FoldedWarning[] | undefined;
}

const MAX_CAUSE = 200;

/** Linux signal names by number, for exit codes 128+N. */
const SIGNALS: Readonly<Record<number, string>> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

const IMAGE_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);
const START_REASONS: ReadonlySet<string> = new Set(['StartError', 'RunContainerError', 'CreateContainerError', 'ContainerCannotRun']);

/** Why a container failed, in a few words: `out of memory (limit 256Mi)`, `killed by its liveness probe`, … */
export function causeOf(input: CauseInput): string {
  const c = cause(input);
  return c.length > MAX_CAUSE ? `${c.slice(0, MAX_CAUSE - 1)}…` : c;
}

function cause(i: CauseInput): string {
  const warnings = i.warnings ?? [];
  if (i.reason === 'OOMKilled' || (i.reason === 'CrashLoopBackOff' && i.lastReason === 'OOMKilled')) return outOfMemory(i.memoryLimit);
  if (IMAGE_REASONS.has(i.reason)) return imageCause(i, warnings) ?? i.reason;
  if (i.reason === 'CreateContainerConfigError') return configCause(i.message) ?? configCause(warningText(warnings, 'Failed')) ?? i.reason;
  if (START_REASONS.has(i.reason)) return startCause(i.message) ?? i.reason;
  if (i.reason === 'Evicted') return evictedCause(i.message);
  if (i.exitCode !== undefined) return exitCause(i.exitCode, warnings);
  return i.reason;
}

const outOfMemory = (limit: string | undefined): string => (limit ? `out of memory (limit ${limit})` : 'out of memory');

function exitCause(code: number, warnings: readonly FoldedWarning[]): string {
  if (code === 137 && warnings.some(isLivenessFailure)) return 'killed by its liveness probe';
  switch (code) {
    case 137:
      return 'killed (SIGKILL)';
    case 143:
      return 'stopped by SIGTERM';
    case 139:
      return 'segmentation fault';
    case 134:
      return 'aborted (SIGABRT)';
    case 127:
      return 'command not found';
    case 126:
      return 'not executable';
  }
  const signal = code > 128 && code < 160 ? SIGNALS[code - 128] : undefined;
  return signal ? `killed by ${signal} (exit ${code})` : `exited with code ${code}`;
}

const isLivenessFailure = (w: FoldedWarning): boolean => w.reason === 'Unhealthy' && /^Liveness probe (failed|errored)/i.test(w.message);

/** The latest message of the warnings with one of these reasons, or undefined. */
function warningText(warnings: readonly FoldedWarning[], ...reasons: string[]): string | undefined {
  let best: FoldedWarning | undefined;
  for (const w of warnings) if (reasons.includes(w.reason) && (!best || w.lastAt > best.lastAt)) best = w;
  return best?.message;
}

/**
 * containerd and CRI-O say why a pull failed in the ErrImagePull message and the `Failed` Event;
 * ImagePullBackOff itself only says `Back-off pulling image "…"`, so the Events are read too.
 */
function imageCause(i: CauseInput, warnings: readonly FoldedWarning[]): string | undefined {
  if (i.reason === 'InvalidImageName') return 'invalid image name';
  if (i.reason === 'ErrImageNeverPull') return 'image not present and pull policy is Never';
  for (const text of [i.message, warningText(warnings, 'Failed', 'ErrImagePull')]) {
    if (!text) continue;
    if (/toomanyrequests|rate limit|429 Too Many Requests/i.test(text)) return 'registry rate limit';
    if (/401 Unauthorized|403 Forbidden|authorization failed|unauthorized|denied: |access denied|no basic auth credentials/i.test(text) && !/repository does not exist/i.test(text)) {
      return 'registry refused the credentials';
    }
    if (/not found|manifest unknown|repository does not exist|NotFound/i.test(text)) return 'image or tag not found';
    if (/no such host|i\/o timeout|connection refused|dial tcp/i.test(text)) return 'registry unreachable';
  }
  return undefined;
}

/** `secret "db-creds" not found`, `configmap "app-config" not found`, `couldn't find key K in Secret ns/name`. */
function configCause(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const missing = /\b(secret|configmap)s? "([^"]+)" not found/i.exec(text);
  if (missing) return `missing ${missing[1]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap'} ${missing[2]}`;
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (\S+)/i.exec(text);
  if (key) return `missing key ${key[1]} in ${key[2]} ${key[3]}`;
  if (/runAsNonRoot and image will run as root/i.test(text)) return 'image runs as root but runAsNonRoot is set';
  return undefined;
}

/** OCI runtime errors when the process could not even start. */
function startCause(text: string | undefined): string | undefined {
  if (!text) return undefined;
  if (/executable file not found|no such file or directory/i.test(text)) return 'command not found';
  if (/permission denied/i.test(text)) return 'not executable';
  return undefined;
}

/** `The node was low on resource: memory. …` -> `evicted: node low on memory` */
function evictedCause(text: string | undefined): string {
  const low = text && /low on resource: ([\w-]+)/i.exec(text);
  if (low) return `evicted: node low on ${low[1]}`;
  if (text && /ephemeral local storage/i.test(text)) return 'evicted: used too much ephemeral storage';
  return 'evicted';
}
