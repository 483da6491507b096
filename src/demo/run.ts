import { Registry } from 'prom-client';
import type { SlackCall } from '../adapters/slack/recording.js';
import { Bot } from '../app.js';
import { DeliveryRelay, type Sender } from '../ports.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { SimCluster } from '../sim/store.js';
import { startSimServer } from '../sim/server.js';
import { simKubeConfig } from '../sim/kubeconfig.js';
import { LiveSender } from './live-sender.js';
import { sleep } from './sleep.js';
import { Cast, demoStory, MUTED_NAMESPACE, type Press, type Story } from './story.js';
import { countCalls, metricSum, type DemoSummary } from './summary.js';
import { DemoView } from './view.js';

/** Where the storm namespace is routed when the demo renders to the terminal. */
export const DEMO_STORM_CHANNEL = '#alerts-batch';
/** How long the bot gets to start watching the sim before the demo gives up. */
const READY_TIMEOUT_MS = 15_000;

export interface DemoOptions {
  /** The bot's configuration at speed 1 (the demo's windows, or the user's where set). */
  readonly config: Config;
  /** Story and windows run this many times faster (> 0). */
  readonly speed: number;
  readonly log: Logger;
  readonly registry?: Registry;
  /** Where the terminal view goes. */
  readonly write: (s: string) => void;
  /** Redraw the conversation in place (a TTY) instead of appending lines. */
  readonly redraw: boolean;
  readonly color: boolean;
  /** The real Slack sender, when posting to Slack; the terminal view is then what was sent there. */
  readonly slack?: Sender;
  /** How long shutdown waits for Slack to take queued messages. */
  readonly flushDeadlineMs?: number;
  /** Ctrl-C: the story stops where it is, the bot stops cleanly, the summary is still made. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Default: the demo's own story. */
  readonly story?: Story;
}

/** Every window of the config `speed` times shorter. */
export function scaleWindows(c: Config, speed: number): Config {
  const w = c.incidents;
  return Object.freeze({
    ...c,
    incidents: Object.freeze({
      ...w,
      groupWaitMs: w.groupWaitMs / speed,
      groupIntervalMs: w.groupIntervalMs / speed,
      repeatIntervalMs: w.repeatIntervalMs / speed,
      resolveAfterMs: w.resolveAfterMs / speed,
      reopenWindowMs: w.reopenWindowMs / speed,
      threadMaxAgeMs: w.threadMaxAgeMs / speed,
    }),
  });
}

/**
 * The demo: a SimCluster served over loopback HTTP, the real Bot watching it, and the story played
 * against the cluster while the terminal shows the Slack threads the bot makes. Ends by itself (or on
 * `signal`) with everything stopped and closed, and returns the true counts of what happened.
 */
export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  if (!(o.speed > 0 && Number.isFinite(o.speed))) throw new TypeError(`runDemo: option speed must be a number > 0, got ${o.speed}`);
  const clock = o.clock ?? systemClock;
  const registry = o.registry ?? new Registry();
  const config = scaleWindows(o.config, o.speed);
  const story = o.story ?? demoStory(o.slack ? {} : { stormChannel: DEMO_STORM_CHANNEL });

  const sim = new SimCluster({ clock });
  const cast = new Cast(sim, clock);
  const intro = story.setup(sim, cast);
  const server = await startSimServer({ cluster: sim, port: 0, clock });

  const view = new DemoView({
    write: o.write,
    redraw: o.redraw,
    color: o.color,
    clock,
    title: `podbell demo · ${o.slack ? `posting to Slack ${o.config.slackChannel}` : 'Slack as it would look'} · speed ${o.speed}`,
  });
  const calls: SlackCall[] = [];
  const bot = watchingBot({ o, config, clock, registry, serverUrl: server.url, view, calls });
  const started = clock.now();
  let interrupted = false;
  try {
    await bot.start();
    await untilReady(bot, clock, o.signal);
    narrateOpening(view, o, intro);
    await playStory({ story, cast, press: pressOn(bot, view, clock, o.signal), view, clock, speed: o.speed, signal: o.signal });
    await settle(bot, config, clock, o.signal);
    interrupted = o.signal?.aborted === true;
    if (interrupted) view.narrate('interrupted: stopping the bot');
    else view.narrate('story over: stopping the bot');
  } finally {
    await bot.stop(o.flushDeadlineMs ?? 5000);
    await server.close();
  }
  view.close();
  return summarize({ registry, calls, bot, started, clock, speed: o.speed, interrupted, slackMode: Boolean(o.slack) });
}

/**
 * The real Bot against the sim, its Slack calls shown in the view (and kept in `calls` for the
 * summary) as they are made; in Slack mode also forwarded to the real sender.
 */
function watchingBot(w: { o: DemoOptions; config: Config; clock: Clock; registry: Registry; serverUrl: string; view: DemoView; calls: SlackCall[] }): Bot {
  const deliveries = new DeliveryRelay();
  const sender = new LiveSender({
    clock: w.clock,
    onOutcome: deliveries.report,
    onCall: (c) => {
      w.calls.push(c);
      w.view.call(c);
    },
    ...(w.o.slack && { forward: w.o.slack }),
  });
  return new Bot({ config: w.config, kubeConfig: simKubeConfig({ url: w.serverUrl }), sender, deliveries, clock: w.clock, log: w.o.log, registry: w.registry });
}

/**
 * The story's button presses, fed to the bot as Slack would deliver them: on the open incident of
 * the workload, each with its own envelope id (the pipeline drops a repeated one). A press that
 * changes nothing is narrated, so the viewer is not left wondering.
 */
function pressOn(bot: Bot, view: DemoView, clock: Clock, signal: AbortSignal | undefined): Press {
  let presses = 0;
  const incidentOf = (workload: string) => {
    const [namespace, name] = workload.split('/');
    return Object.values(bot.pipeline.book.incidents).find((i) => i.namespace === namespace && i.workload.name === name && i.status !== 'resolved');
  };
  return async (user, action, workload, value) => {
    // Nobody can press a button on a parent Slack has not shown yet (a busy machine can be late).
    const pressBy = clock.now() + READY_TIMEOUT_MS;
    while (incidentOf(workload)?.posted !== true && clock.now() < pressBy && !signal?.aborted) await sleep(clock, 20, signal);
    const inc = incidentOf(workload);
    const result = inc ? bot.pipeline.action({ type: 'action', envelope: `demo:${++presses}`, user, action, thread: inc.id, ...(value !== undefined && { value }) }).result : 'unknown_incident';
    if (result !== 'applied') view.narrate(`(the ${action} press changed nothing: ${result})`);
  };
}

/** Waits for the bot's initial lists of the sim, so the story's first failures are watched, not listed. */
async function untilReady(bot: Bot, clock: Clock, signal: AbortSignal | undefined): Promise<void> {
  const readyBy = clock.now() + READY_TIMEOUT_MS;
  while (!bot.ready()) {
    if (clock.now() > readyBy) throw new Error(`the bot did not finish its initial lists of the simulated cluster within ${READY_TIMEOUT_MS / 1000}s`);
    await sleep(clock, 20, signal);
    if (signal?.aborted) break;
  }
}

/** What the viewer is looking at, and the windows (as configured, before scaling) that explain the timing. */
function narrateOpening(view: DemoView, o: DemoOptions, intro: string): void {
  view.narrate(`${intro}; podbell is watching${o.slack ? ` and posting to Slack ${o.config.slackChannel}` : ''}`);
  view.narrate(`windows: GROUP_WAIT ${secs(o.config.incidents.groupWaitMs)} · GROUP_INTERVAL ${secs(o.config.incidents.groupIntervalMs)} · RESOLVE_AFTER ${secs(o.config.incidents.resolveAfterMs)} · STORM_THRESHOLD ${o.config.incidents.stormThreshold}${o.speed !== 1 ? ` (all ${o.speed}× faster)` : ''}`);
}

/** Plays the story's steps at their times (`speed` times faster) until its end, or until `signal` aborts. */
async function playStory(p: { story: Story; cast: Cast; press: Press; view: DemoView; clock: Clock; speed: number; signal: AbortSignal | undefined }): Promise<void> {
  const { clock, signal } = p;
  const at = (storyMs: number) => storyMs / p.speed;
  const t0 = clock.now();
  // In time order, whatever order the script lists them in (steps at the same time keep theirs).
  for (const step of [...p.story.steps].sort((a, b) => a.at - b.at)) {
    await sleep(clock, t0 + at(step.at) - clock.now(), signal);
    if (signal?.aborted) break;
    if (step.say !== undefined) p.view.narrate(step.say);
    await step.act(p.cast, p.press);
  }
  await sleep(clock, t0 + at(p.story.endAt) - clock.now(), signal);
}

/** Gives the bot the time it may still need (a resolution due) to finish what the story started. */
async function settle(bot: Bot, config: Config, clock: Clock, signal: AbortSignal | undefined): Promise<void> {
  const w = config.incidents;
  const settleBy = clock.now() + w.resolveAfterMs + 2 * w.groupIntervalMs + w.groupWaitMs;
  while (!signal?.aborted && busy(bot) && clock.now() < settleBy) await sleep(clock, 20, signal);
}

/** The bot has something due soon: an incident waiting to be posted or to be resolved. */
function busy(bot: Bot): boolean {
  return Object.values(bot.pipeline.book.incidents).some((i) => i.status === 'pending' || i.status === 'resolving');
}

/** The true counts of the run, read from the stopped bot's metrics and book and the Slack calls it made. */
async function summarize(s: { registry: Registry; calls: readonly SlackCall[]; bot: Bot; started: number; clock: Clock; speed: number; interrupted: boolean; slackMode: boolean }): Promise<DemoSummary> {
  const { registry } = s;
  const book = s.bot.pipeline.book;
  const mutedIn = await metricSum(registry, 'podbell_failures_muted_total', (l) => l.namespace === MUTED_NAMESPACE);
  const counted = countCalls(s.calls);
  const requests = (method: string, ok: boolean) => metricSum(registry, 'podbell_slack_requests_total', (l) => l.method === method && (l.outcome === 'ok') === ok);
  const slackRequests = s.slackMode && {
    posts: await requests('chat.postMessage', true),
    edits: await requests('chat.update', true),
    failed: (await requests('chat.postMessage', false)) + (await requests('chat.update', false)),
  };
  return {
    wallMs: s.clock.now() - s.started,
    speed: s.speed,
    interrupted: s.interrupted,
    watchEvents: await metricSum(registry, 'podbell_watch_events_total', (l) => l.type === 'ADDED' || l.type === 'MODIFIED' || l.type === 'DELETED'),
    failures: await metricSum(registry, 'podbell_failures_detected_total'),
    muted: await metricSum(registry, 'podbell_failures_muted_total'),
    mutedNamespace: { name: MUTED_NAMESPACE, failures: mutedIn },
    incidents: Object.values(book.incidents).filter((i) => i.posted).length,
    storms: Object.keys(book.storms).length,
    ...counted,
    // Slack's own queue collapses edits that pile up behind its rate limit: count those it really made.
    ...(slackRequests && { edits: slackRequests.edits, slackRequests }),
  };
}

const secs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
