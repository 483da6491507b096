// The install story outside the chart agrees with the chart: the plain manifest, the image, the
// Slack app manifest and the install guide.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, parse, parseDocument, type Pair } from 'yaml';
import { chartDir, dig, only, parseManifests, repoRoot, requireHelm, run, template } from './helm.js';

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');

describe('deploy/podbell.yaml (for kubectl apply)', () => {
  test('equals a fresh render of the chart by scripts/render-deploy.sh', async () => {
    requireHelm();
    const r = await run('bash', [join(repoRoot, 'scripts/render-deploy.sh'), '-']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // If this fails: run scripts/render-deploy.sh and commit deploy/podbell.yaml.
    expect(read('deploy/podbell.yaml')).toBe(r.stdout);
  });

  test('holds the same objects as `helm template podbell -n podbell` with defaults', async () => {
    const fromFile = parseManifests(read('deploy/podbell.yaml'));
    const rendered = await template();
    expect(fromFile).toEqual(rendered);
    // Every namespaced object names its namespace, so `kubectl apply` needs no -n.
    for (const o of fromFile) if (!o.kind.startsWith('Cluster')) expect(o.metadata.namespace).toBe('podbell');
  });

  test('its header tells the kubectl user to create the namespace and the Secret it reads', async () => {
    const text = read('deploy/podbell.yaml');
    const ref = dig(only(parseManifests(text), 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'env')
      .find((e: any) => e.name === 'SLACK_BOT_TOKEN').valueFrom.secretKeyRef;
    expect(text).toContain('kubectl create namespace podbell');
    expect(text).toContain(`kubectl -n podbell create secret generic ${ref.name} --from-literal=${ref.key}=xoxb-`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as any;
  const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; dependencies: Record<string, string>; engines: { node: string } };

  test('runs as the same fixed non-root UID the chart enforces', () => {
    const users = lines.filter((l) => l.startsWith('USER '));
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.slice(5).split(':').map(Number);
    expect(uid).toBeGreaterThanOrEqual(10000);
    expect(uid).toBe(values.podSecurityContext.runAsUser);
    expect(uid).toBe(values.securityContext.runAsUser);
    expect(gid).toBe(values.podSecurityContext.runAsGroup);
    // USER comes after every RUN of the final stage, so nothing at run time happens as root.
    expect(lines.lastIndexOf(users[0]!)).toBeGreaterThan(lines.map((l) => l.startsWith('RUN ')).lastIndexOf(true));
  });

  test('starts `node bin/podbell.js run` in exec form (no shell), the package\'s own bin', () => {
    expect(lines).toContain('ENTRYPOINT ["node", "bin/podbell.js"]');
    expect(lines).toContain('CMD ["run"]');
    expect(pkg.bin.podbell).toBe('bin/podbell.js');
    expect(lines).toContain('COPY bin ./bin');
    expect(lines).toContain('COPY src ./src');
  });

  test('installs production dependencies only, and ships dist/ built from the sources (no TypeScript loader at run time)', () => {
    expect(lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(lines).toContain('RUN node scripts/build.mjs');
    // Everything the build imports is copied in before it runs.
    expect(lines).toContain('COPY scripts/build.mjs scripts/esbuild-options.mjs ./scripts/');
    expect(lines).toContain('COPY --from=deps /app/dist ./dist');
    expect(pkg.dependencies.esbuild).toBeDefined();
    // bin/podbell.js falls back to the sources through tsx only when dist/ is older than them.
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  test('is multi-stage on Node 20 and exposes the chart\'s HTTP port', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:20-/);
    expect(pkg.engines.node).toMatch(/^>=20/);
    expect(lines).toContain(`EXPOSE ${values.config.httpPort}`);
  });

  test('.dockerignore lets in only what the image needs (no .env, no node_modules, no tests)', () => {
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('**');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const needed of ['package.json', 'package-lock.json', 'bin/', 'src/']) expect(allowed).toContain(needed);
    // The build stage's COPY of scripts/ would fail on a file the ignore list keeps out.
    const copied = lines.filter((l) => l.startsWith('COPY scripts/')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const file of copied) expect(allowed).toContain(file);
    for (const secret of ['.env', 'node_modules', 'test', '.tools']) expect(allowed.some((a) => a.startsWith(secret))).toBe(false);
  });
});

describe('slack-app-manifest.yaml', () => {
  const manifest = parse(read('slack-app-manifest.yaml')) as any;

  test('asks for exactly the bot scopes chat:write, chat:write.public and usergroups:read, and no user scopes', () => {
    expect(manifest.oauth_config.scopes).toEqual({ bot: ['chat:write', 'chat:write.public', 'usergroups:read'] });
  });

  test('creates a bot user, no events or commands; buttons come over Socket Mode (no request URL, no ingress)', () => {
    expect(manifest.features.bot_user.display_name).toBe('podbell');
    expect(Object.keys(manifest.features)).toEqual(['bot_user']);
    expect(manifest.settings.event_subscriptions).toBeUndefined();
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true });
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    // Rotating tokens expire after 12 h; podbell keeps the token it is given.
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest._metadata.major_version).toBe(1);
  });
});

describe('values.yaml', () => {
  test('documents every setting (a comment on the key or on its parent section)', () => {
    const doc = parseDocument(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string[], documented: boolean) => {
      if (!isMap(node)) return;
      for (const item of node.items as Pair[]) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        const key = String(item.key.value);
        const here = documented || Boolean(item.key.commentBefore) || Boolean((item.value as { commentBefore?: string } | null)?.commentBefore);
        if (isMap(item.value) && item.value.items.length > 0) walk(item.value, [...path, key], here);
        else if (!here) undocumented.push([...path, key].join('.'));
      }
    };
    walk(doc.contents, [], false);
    expect(undocumented).toEqual([]);
  });
});

describe('docs/install.md', () => {
  const guide = read('docs/install.md');

  test('its Secret command creates the Secret the chart reads by default', async () => {
    const objs = await template();
    const ref = dig(only(objs, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'env')
      .find((e: any) => e.name === 'SLACK_BOT_TOKEN').valueFrom.secretKeyRef;
    expect(guide).toContain(`kubectl -n podbell create secret generic ${ref.name} --from-literal=${ref.key}=`);
    expect(guide).toContain('helm install podbell ./helm/podbell --namespace podbell');
  });

  test('verifies with a pod that uses a non-existent image, and covers upgrade, uninstall and kube-slack', () => {
    expect(guide).toContain('kubectl run podbell-test --image=registry.invalid/nope:1');
    expect(guide).toContain('helm upgrade podbell');
    expect(guide).toContain('helm uninstall podbell');
    for (const s of ['kube-slack/ignore-pod', 'kube-slack/slack-channel', 'SLACK_URL', 'SLACK_CHANNEL', 'KUBE_NAMESPACES_ONLY', 'incoming webhook']) {
      expect(guide).toContain(s);
    }
  });

  test('names every podbell environment variable of docs/design.md#environment next to the value that sets it', () => {
    const vars = ['SLACK_BOT_TOKEN', 'SLACK_CHANNEL', 'SLACK_API_URL', 'CLUSTER_NAME', 'WATCH_NAMESPACES', 'GROUP_WAIT', 'GROUP_INTERVAL',
      'REPEAT_INTERVAL', 'RESOLVE_AFTER', 'REOPEN_WINDOW', 'THREAD_MAX_AGE', 'STORM_THRESHOLD', 'PENDING_AFTER', 'HTTP_PORT', 'LOG_LEVEL'];
    const rows = guide.split('\n').filter((l) => l.startsWith('| `'));
    for (const v of vars) expect(rows.some((r) => r.includes(`\`${v}\``))).toBe(true);
  });
});
