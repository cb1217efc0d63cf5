// `npm run device -- <command> [options]`: a Teams phone on the command line, for trying the
// whole provisioning flow without hardware. See cli-args.ts for the usage text.
//
// Exit codes: 0 done; 1 refused by the service (its message is printed) or by the simulator;
// 2 usage error; 130 stopped with Ctrl+C.
import { pathToFileURL } from 'node:url';
import { defaultServer, parseCommandLine, usage, UsageError } from './cli-args.ts';
import { DeviceApiError, DeviceConnectionError } from './device-client.ts';
import { defaultStateDir, DeviceMemory } from './device-memory.ts';
import { connect, provision, reset, signIn, SimulatorError, status, type PhoneContext } from './phone.ts';
import { applyUpdates } from './phone-update.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  signal?: AbortSignal;
}

/** Runs one command; resolves with the exit code. Never exits the process (tests call it in-process). */
export async function runDeviceCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.command === 'help') {
      io.out(usage);
      return 0;
    }
    const ctx: PhoneContext = {
      memory: new DeviceMemory(parsed.stateDir ?? defaultStateDir),
      server: parsed.server,
      defaultServer,
      show: io.out,
      ...(io.signal ? { signal: io.signal } : {}),
    };
    switch (parsed.command) {
      case 'provision':
        await provision(ctx, { mac: parsed.mac, code: parsed.code!, manufacturer: parsed.manufacturer, model: parsed.model, firmware: parsed.firmware });
        break;
      case 'signin':
        await signIn(ctx, { mac: parsed.mac, account: parsed.account, pollSeconds: parsed.pollSeconds, timeoutSeconds: parsed.timeoutSeconds });
        break;
      case 'update':
        await applyUpdates(ctx, connect(ctx, parsed.mac), { mac: parsed.mac, ...(parsed.fail ? { fail: parsed.fail } : {}), busy: parsed.busy === true, pollSeconds: parsed.pollSeconds, timeoutSeconds: parsed.timeoutSeconds });
        break;
      case 'status':
        await status(ctx, parsed.mac);
        break;
      case 'reset':
        await reset(ctx, parsed.mac);
        break;
    }
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`Usage error: ${error.message} Run "npm run device -- --help" for usage.`);
    return 2;
  }
  if (error instanceof DeviceApiError) {
    const wait = error.retryAfterSeconds === undefined ? '' : ` Try again in ${Math.ceil(error.retryAfterSeconds / 60)} minutes.`;
    io.err(`Refused (${error.code}): ${error.message}${wait}`);
    return 1;
  }
  if (error instanceof DeviceConnectionError || error instanceof SimulatorError) {
    io.err(error.message);
    return 1;
  }
  if ((error as { name?: string }).name === 'AbortError') {
    io.err('Stopped.');
    return 130;
  }
  io.err(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

async function main(): Promise<void> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.exitCode = await runDeviceCli(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    signal: stop.signal,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
