/** Messages between the benchmark driver (parent) and the measured process (bench/child.ts). */

export interface ChildSetup {
  readonly mode: 'bot' | 'poll';
  readonly simUrl: string;
  readonly simToken?: string;
  readonly slackUrl?: string;
  readonly slackToken?: string;
  /** poll mode: how often the whole pod list is fetched (kube-slack: 15 s). */
  readonly pollIntervalMs?: number;
  /** bot mode: write a .cpuprofile of each 'expect' window here (the last one, the measured batch, stays). */
  readonly profileFile?: string;
}

export type ChildRequest =
  | { readonly type: 'cpu'; readonly id: number }
  /** Reply with a full-GC MemSample. */
  | { readonly type: 'mem'; readonly id: number }
  /** Reply `{ rss }` at once, without a GC: for watching RSS settle. */
  | { readonly type: 'rss'; readonly id: number }
  /** Reply 'expecting' now, then 'reached' (with the CPU reading) once n more pod changes reached the pipeline. */
  | { readonly type: 'expect'; readonly id: number; readonly n: number }
  /** JSON.parse every line of `file`, `passes` times, timing each pass. */
  | { readonly type: 'floor'; readonly id: number; readonly file: string; readonly passes: number }
  /** Reply `{ seen: { [workload]: epoch ms }, lagMaxMs, lagP99Ms }`: when each workload's first CrashLoopBackOff reached the pipeline, and the event loop's delay since 'lag'. */
  | { readonly type: 'crashes'; readonly id: number }
  /** Start monitoring the event loop's delay (reported and stopped by 'crashes'). Reply 'lag'. */
  | { readonly type: 'lag'; readonly id: number }
  | { readonly type: 'stop'; readonly id: number };

export interface CpuSample {
  /** process.cpuUsage() user + system, microseconds. */
  readonly cpuMicros: number;
  /** performance.now() of the child. */
  readonly wallMs: number;
}

export interface MemSample {
  readonly rss: number;
  /** Highest RSS of the process so far (getrusage maxrss): the initial sync's peak. */
  readonly peakRss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** V8's heap by space (space_size, bytes): where heapTotal lives (new space is the young generation). */
  readonly spaces: Readonly<Record<string, number>>;
  /** Whether a full GC ran before the reading (the child was started with --expose-gc). */
  readonly gc: boolean;
}

/** Requests to the fake Slack's process (bench/slack-process.ts); each reply carries the same id. */
export type SlackRequest =
  /** Forget the requests recorded so far. Reply 'cleared'. */
  | { readonly type: 'clear'; readonly id: number }
  /** Reply 'posts' with every chat.postMessage recorded since the last 'clear'. */
  | { readonly type: 'posts'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

/** A chat.postMessage as the fake Slack recorded it; `time` is its arrival, epoch ms (sub-ms precision). */
export interface RecordedPost {
  readonly text: string;
  readonly threadTs?: string;
  readonly time: number;
}
