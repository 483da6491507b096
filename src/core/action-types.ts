/**
 * The data of Slack actions (mute, acknowledge, unmute: docs/slack-actions.md), kept in the incident
 * book so it is persisted with it. A leaf module: incidents.ts and actions.ts both import it.
 */

/** What a button or menu of a parent asks for. */
export type ActionName = 'mute' | 'mute-namespace' | 'ack' | 'unmute';
export const ACTION_NAMES: readonly ActionName[] = ['mute', 'mute-namespace', 'ack', 'unmute'];

/** How long a mute lasts, as the menus offer it. `resolved`: until the incident resolves. */
export const MUTE_CHOICES: Readonly<Record<'mute' | 'mute-namespace', readonly string[]>> = {
  mute: ['1h', '4h', '24h', 'resolved'],
  'mute-namespace': ['1h', '4h'],
};

/** How an action ended (the podbell_slack_actions_total{result} label). */
export type ActionResult = 'applied' | 'noop' | 'duplicate' | 'stale' | 'denied' | 'unknown_incident' | 'malformed' | 'foreign';

export interface MuteMark {
  /** Slack user id of who muted. */
  readonly by: string;
  readonly at: number;
  /** When it lifts by itself (ms); absent: when the incident resolves. */
  readonly until?: number;
  readonly scope: 'workload' | 'namespace';
}

export interface AckMark {
  readonly by: string;
  readonly at: number;
}

/** What was done to one incident from Slack (a field of Incident; its parent shows it). */
export interface IncidentActions {
  muted?: MuteMark;
  acked?: AckMark;
  /** A namespace mute held its parent back: nothing of it was posted yet; lifting posts it. */
  held?: boolean;
}

/** Book-wide action state (IncidentBook.actions). */
export interface ActionLedger {
  /** Incident key -> true for every incident with a mute: what expiry and the output filter look at. */
  muted: Record<string, true>;
  /** Namespace -> its mute: covers incidents of that namespace opened or reopened while it lasts. */
  namespaces: Record<string, MuteMark>;
  /** Envelope ids and action keys already handled -> when; forgotten after DEDUP_WINDOW_MS. */
  seen: Record<string, number>;
}

/** Who may act and whether parents carry buttons (from SLACK_APP_TOKEN, SLACK_ALLOWED_USERS, SLACK_ALLOWED_GROUPS). */
export interface ActionSettings {
  /** Render buttons on open parents (Socket Mode is on). */
  readonly buttons: boolean;
  /** User ids (U…/W…) allowed to act; with allowedGroups empty too, everyone may. */
  readonly allowedUsers: readonly string[];
  /** User-group ids (S…) whose members may act. */
  readonly allowedGroups: readonly string[];
}

/** What the parent of an incident shows about actions (IncidentView.actions). */
export interface ActionsView {
  readonly buttons: boolean;
  /** podbell's thread id: what the buttons carry (never cluster text). */
  readonly thread: string;
  readonly muted?: MuteMark;
  readonly acked?: AckMark;
}
