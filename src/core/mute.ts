import type { PodState } from './pod.js';

/** The part of a Namespace podbell keeps: its name and the annotations it reads. */
export interface NamespaceState {
  readonly name: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Route {
  /** Where this pod's incidents go. */
  readonly channel: string;
  readonly muted: boolean;
  /** Why it is muted, for logs and `podbell check`. */
  readonly why?: string;
  /** When a time-limited mute ends (ms since epoch). */
  readonly until?: number;
}

/** First version: pod ignore and channel routing. Issue 6 completes mutes and expiry. */
export function route(pod: PodState, ns: NamespaceState | undefined, defaultChannel: string, _reason: string, _now: number): Route {
  const pa = pod.annotations ?? {};
  if (pa['podbell.io/ignore'] === 'true' || pa['kube-slack/ignore-pod'] === 'true') return { channel: defaultChannel, muted: true, why: 'pod annotation ignore' };
  const na = ns?.annotations ?? {};
  if (na['podbell.io/mute'] === 'true') return { channel: defaultChannel, muted: true, why: `namespace ${ns?.name} muted` };
  const channel = pa['podbell.io/channel'] ?? pa['kube-slack/slack-channel'] ?? na['podbell.io/channel'] ?? na['kube-slack/slack-channel'] ?? defaultChannel;
  return { channel, muted: false };
}
