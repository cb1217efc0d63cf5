// The simulator's command line: which command, which options, checked before anything is sent.
import { parseArgs } from 'node:util';

export const defaultServer = 'http://localhost:3978';

export const usage = `A simulated Microsoft Teams phone that talks to the bot's device API.

Usage: npm run device -- <command> --mac <MAC> [options]

Commands:
  provision --mac <MAC> --code <CODE> [--manufacturer <m>] [--model <m>] [--firmware <v>]
      Enter the verification code from the hand-off card; saves the device token.
  signin --mac <MAC> [--account <upn>] [--poll-seconds 2] [--timeout-seconds 900]
      Wait for the admin's sign-in request, then show and report a device-login code.
      With --account, also complete the sign-in as that account (the person at the portal).
  update --mac <MAC> [--fail <reason>] [--busy] [--poll-seconds 2] [--timeout-seconds 900]
      Wait for a remote update, report downloading, installing and succeeded, then the new
      version (and any required next step). --fail reports that failure instead; --busy
      reports "in a call" the first time it is offered, then keeps waiting.
  status --mac <MAC>
      Show the device's state as the service sees it.
  reset --mac <MAC>
      Factory reset: the device is registered again and its saved token is deleted.

Options for every command:
  --server <url>      the bot (default: the server the device was provisioned against,
                      else ${defaultServer})
  --state-dir <dir>   where device tokens are kept (default ./data/simulator)
  -h, --help          this text

Exit codes: 0 done, 1 refused (by the service or the simulator), 2 usage error, 130 stopped.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const options = {
  mac: { type: 'string' },
  code: { type: 'string' },
  manufacturer: { type: 'string' },
  model: { type: 'string' },
  firmware: { type: 'string' },
  fail: { type: 'string' },
  busy: { type: 'boolean' },
  account: { type: 'string' },
  'poll-seconds': { type: 'string' },
  'timeout-seconds': { type: 'string' },
  server: { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof options;

const common: OptionName[] = ['mac', 'server', 'state-dir', 'help'];
const allowed = {
  provision: [...common, 'code', 'manufacturer', 'model', 'firmware'],
  update: [...common, 'fail', 'busy', 'poll-seconds', 'timeout-seconds'],
  signin: [...common, 'account', 'poll-seconds', 'timeout-seconds'],
  status: common,
  reset: common,
} satisfies Record<string, OptionName[]>;

export type CommandName = keyof typeof allowed;

export type ParsedCommand =
  | { command: 'help' }
  | {
      command: CommandName;
      mac: string;
      server?: string;
      stateDir?: string;
      code?: string;
      manufacturer?: string;
      model?: string;
      firmware?: string;
      fail?: string;
      busy?: boolean;
      account?: string;
      pollSeconds: number;
      timeoutSeconds: number;
    };

function seconds(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new UsageError(`--${name} must be a number of seconds above 0 and at most ${max} (got "${raw}").`);
  }
  return value;
}

export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = String((error as { code?: string }).code);
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const option = /Option '(--?[\w-]+)/.exec((error as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) throw new UsageError(`${option} needs a value.`);
    // Node's first sentence names the option; the rest is advice about "--" that does not apply here.
    throw new UsageError((error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '') + '.');
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };

  const [command, ...extra] = positionals;
  if (!command || !(command in allowed)) throw new UsageError(`Unknown command "${command}"; use provision, signin, update, status or reset.`);
  if (extra.length > 0) throw new UsageError(`Unexpected "${extra.join(' ')}" after ${command}.`);
  const name = command as CommandName;
  const given = Object.keys(values) as OptionName[];
  const misplaced = given.filter((option) => !(allowed[name] as OptionName[]).includes(option));
  if (misplaced.length > 0) throw new UsageError(`${misplaced.map((option) => `--${option}`).join(', ')} does not apply to ${name}.`);
  if (!values.mac?.trim()) throw new UsageError(`${name} needs --mac <MAC>, e.g. --mac 00-04-F2-81-24-B3.`);
  if (name === 'provision' && !values.code?.trim()) throw new UsageError('provision needs --code <CODE>, the 6 digits from the hand-off card.');
  if (values.server !== undefined && !(URL.canParse(values.server) && /^https?:$/.test(new URL(values.server).protocol))) {
    throw new UsageError(`--server must be an http(s) URL such as ${defaultServer} (got "${values.server}").`);
  }

  return {
    command: name,
    mac: values.mac.trim(),
    server: values.server,
    stateDir: values['state-dir'],
    code: values.code?.trim(),
    manufacturer: values.manufacturer,
    model: values.model,
    firmware: values.firmware,
    fail: values.fail?.trim() || undefined,
    busy: values.busy === true,
    account: values.account?.trim() || undefined,
    pollSeconds: seconds('poll-seconds', values['poll-seconds'], 2, 3600),
    timeoutSeconds: seconds('timeout-seconds', values['timeout-seconds'], 900, 86_400),
  };
}
