// The simulator's own rules, without a server: its login codes, where it keeps tokens, what
// its command line accepts, and how it reads the device API's refusals.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../../../bot/device-simulator/cli-args.ts';
import { runDeviceCli } from '../../../../bot/device-simulator/cli.ts';
import { apiErrorFrom, DeviceClient, DeviceConnectionError, newLoginCode } from '../../../../bot/device-simulator/device-client.ts';
import { macFileName } from '../../../../bot/device-simulator/device-memory.ts';

describe('device-login codes', () => {
  it('are 9 uppercase letters and digits, like EV9PGNQN8, and differ from one another', () => {
    const codes = Array.from({ length: 500 }, () => newLoginCode());
    for (const code of codes) expect(code).toMatch(/^[A-Z0-9]{9}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // every character of the alphabet turns up: letters and digits, not one kind only
    const seen = new Set(codes.join(''));
    expect(seen.size).toBe(36);
  });
});

describe('where a device token is kept', () => {
  it.each([
    ['00-04-F2-81-24-B3', '00-04-F2-81-24-B3.json'],
    ['00:04:f2:81:24:b3', '00-04-F2-81-24-B3.json'],
    ['0004.F281.24B3', '00-04-F2-81-24-B3.json'],
    ['0004f28124b3', '00-04-F2-81-24-B3.json'],
    ['../../etc/passwd', '______etc_passwd.json'],
    ['lobby phone', 'lobby_phone.json'],
  ])('%s is kept in %s', (mac, file) => {
    expect(macFileName(mac)).toBe(file);
  });
});

describe('the command line', () => {
  it('with no command or with --help, asks for the usage text', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['status', '--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ command: 'help' });
  });

  it('signin polls every 2 s for up to 900 s unless told otherwise', () => {
    expect(parseCommandLine(['signin', '--mac', 'aa', '--account', ' a@b.com '])).toMatchObject({ command: 'signin', mac: 'aa', account: 'a@b.com', pollSeconds: 2, timeoutSeconds: 900 });
    expect(parseCommandLine(['signin', '--mac', 'aa', '--poll-seconds', '0.5', '--timeout-seconds', '30'])).toMatchObject({ pollSeconds: 0.5, timeoutSeconds: 30 });
  });

  it.each([
    [['frob', '--mac', 'aa'], /Unknown command "frob"/],
    [['status'], /status needs --mac <MAC>/],
    [['provision', '--mac', 'aa'], /provision needs --code <CODE>/],
    [['provision', '--mac', 'aa', '--code', '  '], /provision needs --code <CODE>/],
    [['status', '--mac', 'aa', '--code', '123456'], /--code does not apply to status/],
    [['status', '--mac', 'aa', 'extra'], /Unexpected "extra" after status/],
    [['status', '--mac'], /^--mac needs a value\.$/],
    [['provision', '--mac', 'aa', '--code', '--model', 'x'], /^--code needs a value\.$/],
    [['status', '--mac', 'aa', '--colour'], /Unknown option '--colour'\.$/],
    [['signin', '--mac', 'aa', '--poll-seconds', '0'], /--poll-seconds must be a number of seconds above 0/],
    [['signin', '--mac', 'aa', '--timeout-seconds', 'soon'], /--timeout-seconds must be a number of seconds/],
    [['status', '--mac', 'aa', '--server', 'localhost:3978'], /--server must be an http\(s\) URL/],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('a usage error exits 2 with one line on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await runDeviceCli(['status'], { out: (line) => out.push(line), err: (line) => err.push(line) })).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(['Usage error: status needs --mac <MAC>, e.g. --mac 00-04-F2-81-24-B3. Run "npm run device -- --help" for usage.']);
  });
});

describe('refusals of the device API', () => {
  it('keep the code, the message and the details of the JSON body', () => {
    const error = apiErrorFrom(401, null, JSON.stringify({ code: 'wrong_code', message: 'That code is not right.', attemptsLeft: 3 }));
    expect(error).toMatchObject({ status: 401, code: 'wrong_code', message: 'That code is not right.', details: { attemptsLeft: 3 }, retryAfterSeconds: undefined });
  });

  it('take the wait from the body, else from Retry-After', () => {
    expect(apiErrorFrom(429, '60', JSON.stringify({ code: 'locked_out', message: 'Wait.', retryAfterSeconds: 840 })).retryAfterSeconds).toBe(840);
    expect(apiErrorFrom(429, '60', JSON.stringify({ code: 'locked_out', message: 'Wait.' })).retryAfterSeconds).toBe(60);
  });

  it('that are not the API\'s JSON (a proxy\'s page) still say what happened', () => {
    const error = apiErrorFrom(502, null, '<html>\n  <body>Bad Gateway</body>\n</html>');
    expect(error).toMatchObject({ status: 502, code: 'http_502', message: 'The service answered HTTP 502: <html> <body>Bad Gateway</body> </html>.' });
  });

  it('when nothing listens at the server, the client says it cannot reach it', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const attempt = new DeviceClient({ server: `http://127.0.0.1:${port}/` }).provision({ mac: '00-04-F2-81-24-B3', verificationCode: '123456' });
    await expect(attempt).rejects.toThrow(DeviceConnectionError);
    await expect(attempt).rejects.toThrow(`Cannot reach the provisioning service at http://127.0.0.1:${port}: ECONNREFUSED.`);
  });
});
