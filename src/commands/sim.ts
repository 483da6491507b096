import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimCluster } from '../sim/store.js';
import { startSimServer, type SimFaults } from '../sim/server.js';
import { SIM_TOKEN, simKubeconfigText } from '../sim/kubeconfig.js';
import { usageError } from './usage.js';
import type { Command, CommandIO } from './types.js';

const USAGE = `usage: podbell sim [--listen HOST:PORT] [--tls] [--faults drop=0.01,stall=0.01,expire=0.01,error=0.05,throttle=0.01,seed=7]

Runs only the simulated Kubernetes API server (pods and their logs, namespaces, configmaps, events,
leases; PUT /sim/v1/namespaces/NS/pods/NAME/log sets a pod's log), good enough for real
kubectl: get, create, apply, patch (status too), delete, watch and explain. Default --listen 127.0.0.1:0 (a free port).
--tls serves https with the sim's own CA (written into the kubeconfig) and requires its token, like a
real cluster; without it the sim speaks plain http and accepts requests without credentials.
--faults injects seeded faults: rates per watch line (drop, stall, expire) or per API request
(error = HTTP 500, throttle = HTTP 429 with Retry-After), each from 0 to 1.
`;

const FAULT_KEYS: Record<string, keyof SimFaults> = {
  drop: 'dropRate',
  stall: 'stallRate',
  expire: 'expireRate',
  error: 'errorRate',
  throttle: 'throttleRate',
  seed: 'seed',
  'retry-after': 'retryAfterSeconds',
};

/** Parses `drop=0.01,stall=0.01,seed=7`; every bad part is named in the error. */
export function parseFaults(text: string): SimFaults | { error: string } {
  const out: Record<string, number> = {};
  const bad: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [k, v] = part.split('=');
    const key = FAULT_KEYS[k ?? ''];
    const n = Number(v);
    if (!key) bad.push(`${JSON.stringify(k)} is not one of ${Object.keys(FAULT_KEYS).join(', ')}`);
    else if (v === undefined || v === '' || !Number.isFinite(n) || n < 0 || (key.endsWith('Rate') && n > 1)) bad.push(`${k}=${v ?? ''} is not ${key.endsWith('Rate') ? 'a rate from 0 to 1' : 'a number >= 0'}`);
    else out[key] = n;
  }
  return bad.length ? { error: `--faults: ${bad.join('; ')}` } : (out as SimFaults);
}

/** Parses `--listen HOST:PORT` (or `--listen=HOST:PORT`); returns an error message for anything else. */
export function parseSimArgs(argv: readonly string[]): { host: string; port: number; tls: boolean; faults?: SimFaults } | { error: string } | 'help' {
  let listen = '127.0.0.1:0';
  let tls = false;
  let faults: SimFaults | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--listen') {
      const v = argv[++i];
      if (v === undefined) return { error: '--listen needs a value, e.g. --listen 127.0.0.1:6443' };
      listen = v;
    } else if (a.startsWith('--listen=')) listen = a.slice('--listen='.length);
    else if (a === '--tls') tls = true;
    else if (a === '--faults' || a.startsWith('--faults=')) {
      const v = a === '--faults' ? argv[++i] : a.slice('--faults='.length);
      if (v === undefined) return { error: '--faults needs a value, e.g. --faults drop=0.01,seed=7' };
      const f = parseFaults(v);
      if ('error' in f) return f;
      faults = f;
    } else return { error: `unknown argument ${JSON.stringify(a)}` };
  }
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) return { error: `--listen ${JSON.stringify(listen)} is not HOST:PORT (e.g. 127.0.0.1:6443)` };
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port, tls, ...(faults && { faults }) };
}

/**
 * `podbell sim`, with the stop condition injected so tests can end it: prints the URL and a
 * kubeconfig to export, serves until `until` settles, then removes the kubeconfig it wrote.
 */
export async function runSim(argv: readonly string[], io: CommandIO, until: Promise<unknown>): Promise<number> {
  const parsed = parseSimArgs(argv);
  if (parsed === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    return usageError(io, 'sim', parsed.error);
  }
  const cluster = new SimCluster();
  let server;
  try {
    server = await startSimServer({
      cluster,
      host: parsed.host,
      port: parsed.port,
      ...(parsed.tls && { tls: true, token: SIM_TOKEN, requireToken: true }),
      ...(parsed.faults && { faults: parsed.faults }),
    });
  } catch (err) {
    io.stderr.write(`podbell sim: cannot listen on ${parsed.host}:${parsed.port}: ${(err as Error).message}\n`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'podbell-sim-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, simKubeconfigText({ url: server.url }), { mode: 0o600 });
  io.stdout.write(
    [
      `podbell sim: simulated Kubernetes API server listening on ${server.url}${parsed.faults ? ` (faults: ${JSON.stringify(parsed.faults)})` : ''}`,
      `kubeconfig written to ${kubeconfig}; in another shell:`,
      '',
      `  export KUBECONFIG=${kubeconfig}`,
      '  kubectl create namespace shop',
      '  kubectl apply -f pod.yaml                  # a pod in namespace shop',
      '  kubectl get pods -A',
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  try {
    await until;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    io.stdout.write('podbell sim: stopped\n');
  }
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM. */
function nextStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** `podbell sim [--listen 127.0.0.1:PORT]`: runs until SIGINT/SIGTERM. */
export const simCommand: Command = (argv, io) => runSim(argv, io, nextStopSignal());
