import { compileRedactions, redact, splitPatterns } from '../../src/core/redact.js';

const R = '[REDACTED]';

describe('redact: secrets that must go', () => {
  test.each([
    ['key=value', 'connecting with password=hunter2 to db', `connecting with password=${R} to db`],
    ['env style', 'DB_PASSWORD=s3cr3t!x', `DB_PASSWORD=${R}`],
    ['yaml style', 'client_secret: abc123def', `client_secret: ${R}`],
    ['JSON pair', '{"user":"bob","password": "hunter 2","x":1}', `{"user":"bob","password": "${R}","x":1}`],
    ['single quoted', "api_key='k-123-456'", `api_key='${R}'`],
    ['apikey', 'apikey=ABCDEF0123', `apikey=${R}`],
    ['credentials', 'credentials=user:pw', `credentials=${R}`],
    ['token', 'refresh token=0a1b2c3d4e', `refresh token=${R}`],
    ['passwd', 'passwd: toor', `passwd: ${R}`],
    ['Slack bot token', 'using xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx', `using ${R}`],
    ['Slack app token', 'SLACK_APP=xapp-1-A0123BCDE-1234567890123-abcdef0123456789', `SLACK_APP=${R}`],
    ['AWS access key id', 'aws key AKIAIOSFODNN7EXAMPLE loaded', `aws key ${R} loaded`],
    ['AWS secret key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key = ${R}`],
    ['GitHub token', 'git clone with ghp_16C7e42F292c6912E7710c838347Ae178B4a ok', `git clone with ${R} ok`],
    ['GitHub fine-grained', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ', R],
    ['GitLab token', 'GITLAB glpat-xxxxxxxxxxxxxxxxxxxx1', `GITLAB ${R}`],
    ['JWT', 'id eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end', `id ${R} end`],
    ['Authorization header', 'GET / Authorization: Bearer abc.def.ghi', `GET / Authorization: Bearer ${R}`],
    ['basic auth header', 'authorization=Basic dXNlcjpwYXNz', `authorization=Basic ${R}`],
    ['bare bearer', 'sent Bearer 0123456789abcdef', `sent Bearer ${R}`],
    ['URL password', 'dial postgres://app:s3cret@db:5432/shop failed', `dial postgres://app:${R}@db:5432/shop failed`],
    ['URL password, amqp', 'amqp://guest:guest@rabbit/', `amqp://guest:${R}@rabbit/`],
    [
      'PEM private key',
      'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1\nabc\n-----END RSA PRIVATE KEY-----\ndone',
      `key:\n-----BEGIN RSA PRIVATE KEY-----${R}-----END RSA PRIVATE KEY-----\ndone`,
    ],
    ['PEM cut by the tail end', 'x\n-----BEGIN PRIVATE KEY-----\nMIIEv', `x\n-----BEGIN PRIVATE KEY-----${R}-----END PRIVATE KEY-----`],
    ['PEM cut by the tail start', 'MIIEv\nabc\n-----END EC PRIVATE KEY-----\nnext', `${R}-----END EC PRIVATE KEY-----\nnext`],
  ])('%s', (_name, text, expected) => expect(redact(text)).toBe(expected));
});

describe('redact: text that must stay', () => {
  test.each([
    'Password reset requested for user 42',
    'tokenizer loaded 30522 entries',
    'the secretary left',
    'pulled image docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
    'commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 deployed',
    'GET /healthz 200 3ms',
    'password: ',
    'https://example.com:8443/path?q=1',
    'token=[REDACTED] already redacted',
    'Liveness probe failed: HTTP probe failed with statuscode: 500',
  ])('%s', (text) => expect(redact(text)).toBe(text));
});

describe('LOG_REDACT patterns', () => {
  test('user patterns redact their matches', () => {
    const c = compileRedactions(['cust-[0-9]{6}', 'SSN \\d{3}-\\d{2}-\\d{4}']);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(redact('order by cust-123456 and cust-654321, SSN 123-45-6789', c.patterns)).toBe(`order by ${R} and ${R}, ${R}`);
    // The compiled patterns are global regexps: a second call must redact as well as the first.
    expect(redact('cust-000001', c.patterns)).toBe(R);
  });

  test('every invalid pattern is named', () => {
    const c = compileRedactions(['ok-[0-9]+', '(unclosed', '[z-a]', 'x*']);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.invalid.map((i) => i.pattern)).toEqual(['(unclosed', '[z-a]', 'x*']);
    expect(c.invalid[2]!.why).toBe('matches the empty string');
  });
});

describe('splitPatterns (LOG_REDACT is a comma list)', () => {
  test.each<[string, string[]]>([
    ['a,b', ['a', 'b']],
    [' cust-[0-9]{6} , SSN \\d{3}-\\d{2}-\\d{4} ', ['cust-[0-9]{6}', 'SSN \\d{3}-\\d{2}-\\d{4}']],
    ['x{1,3},y', ['x{1,3}', 'y']],
    ['[,;]secret,(a|b,c)', ['[,;]secret', '(a|b,c)']],
    ['a\\,b,c', ['a\\,b', 'c']],
    ['', []],
  ])('%j', (list, patterns) => expect(splitPatterns(list)).toEqual(patterns));
});
