// Walks the one permission table (services/auth/permissions.ts) through every door that
// reaches each operation, over HTTP as Teams sends it: the chat command(s) naming it, the card
// verb(s) naming it, the dialog (task/fetch and task/submit) of a command with a form, and the
// confirmation button ("confirm.yes") wrapping the command. Every role the table does not allow
// is refused at every door ("needs … role") and the store does not change; every allowed role
// gets past the check. The doors come from the registries (bot/commands/index.ts,
// bot/actions/index.ts, the commands' forms), so a new command or verb is walked as soon as it
// is listed; all this file keeps by hand is one valid sample of arguments or data for each.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actions } from '../../../bot/actions/index.ts';
import { verbs } from '../../../bot/actions/verbs.ts';
import { commands } from '../../../bot/commands/index.ts';
import { can, operations, permissionFor, whoMay, type Operation } from '../../../services/auth/permissions.ts';
import { roles as allRoles, type Role } from '../../../services/auth/role.ts';
import { deliverPendingNotifications, domainSnapshot } from '../../helpers/bad-input.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-contoso';
const setupAdminId = '5e1f0000-0000-4000-8000-0000000000aa';
const someoneElseId = '5e1f0000-0000-4000-8000-0000000000ee';
const macs = ['00-04-F2-5E-00-01', '00-04-F2-5E-00-02'] as const;

/** "no role at all" is a person too: the table allows them only what is open to anyone. */
type Who = Role | 'none';
const everyone: readonly Who[] = [...allRoles, 'none'];
const people: Record<Who, { id: string; name: string; aadObjectId: string }> = {
  admin: { id: '29:walk-admin', name: 'Walk Admin', aadObjectId: '5e1f0000-0000-4000-8000-000000000001' },
  technician: { id: '29:walk-tech', name: 'Walk Tech', aadObjectId: '5e1f0000-0000-4000-8000-000000000002' },
  manager: { id: '29:walk-manager', name: 'Walk Manager', aadObjectId: '5e1f0000-0000-4000-8000-000000000003' },
  none: { id: '29:walk-nobody', name: 'Walk Nobody', aadObjectId: '5e1f0000-0000-4000-8000-000000000004' },
};
const personWith = (who: Who) => (who === 'none' ? 'a person with no role' : `${who === 'admin' ? 'an' : 'a'} ${who}`);
const heldBy = (who: Who): ReadonlySet<Role> => new Set(who === 'none' ? [] : [who]);

/** What the set-up made, for samples that name stored things. */
interface Fixture {
  batchId: string;
}

interface CommandSample {
  /** Text after the command name that its argument schema accepts. */
  args: string;
  /** Field values for its form's submit (required when the command has a form). */
  form?: Record<string, string>;
  /** Arguments that make the command ask the table about a narrower operation inside it. */
  inner?: { operation: Operation; args: string }[];
}

// One valid sample per command of the registry. A command without one fails the test below.
const commandSamples: Record<string, CommandSample> = {
  help: { args: '' },
  register: { args: `00-04-F2-5E-00-10 Annex`, form: { macs: '00-04-F2-5E-00-11', location: 'Annex' } },
  import: { args: 'MAC address,Location\r\n00-04-F2-5E-00-12,Annex', form: { csv: 'MAC address,Location\r\n00-04-F2-5E-00-13,Annex' } },
  codes: { args: macs[0], form: { target: 'macs', macs: macs[0], location: '' } },
  list: { args: 'waiting' },
  status: { args: macs[0] },
  signin: { args: `${macs[1]} lobby@contoso.com`, form: { mac: macs[1], account: 'lobby@contoso.com' } },
  export: { args: 'devices', inner: [{ operation: 'exportCodes', args: 'codes' }] },
  setup: { args: 'technicians' },
  grant: { args: `technician ${someoneElseId}`, form: { role: 'technician', user: someoneElseId } },
  revoke: { args: `manager ${someoneElseId}`, form: { role: 'manager', user: someoneElseId } },
  roles: { args: '' },
  whoami: { args: '' },
  digest: { args: '' },
  jobs: { args: '' },
  timezone: { args: 'Europe/Berlin' },
  unlock: { args: macs[0] },
  assign: { args: `Annex ${someoneElseId}` },
  unassign: { args: `Annex ${someoneElseId}` },
  assignments: { args: '' },
  accounts: { args: 'location Lobby' },
  auto: { args: 'signin off' },
  sip: {
    args: 'status',
    form: { csv: 'Username,HardwareId\r\nlobby-sip2@contoso.com,00-04-F2-5E-00-21' },
    inner: [
      { operation: 'sipImport', args: 'import Username,HardwareId\r\nlobby-sip@contoso.com,00-04-F2-5E-00-20' },
      { operation: 'sipSignIn', args: 'signin all region EMEA' },
      { operation: 'sipExport', args: 'export' },
      { operation: 'sipSettings', args: 'region default EMEA' },
    ],
  },
  link: { args: 'slack' },
  firmware: {
    args: macs[0],
    inner: [
      { operation: 'manageFirmware', args: 'release "Yealink T56A" firmware 58.15.0.130 verified' },
    ],
  },
  update: { args: `${macs[0]} firmware now` },
  updates: { args: '' },
  cancel: { args: `update ${macs[0]}` },
  pause: { args: 'updates' },
  resume: { args: 'updates' },
};

const inAFewMinutes = () => new Date(Date.now() + 5 * 60_000).toISOString();

// One valid sample of data per card verb of the registry. A verb without one fails the test below.
const verbSamples: Record<string, (fixture: Fixture) => Record<string, unknown>> = {
  [verbs.signIn]: () => ({ mac: macs[1], account: 'lobby@contoso.com' }),
  [verbs.refreshSignIn]: () => ({ mac: macs[1] }),
  [verbs.showStatus]: () => ({ mac: macs[0] }),
  [verbs.markInstalled]: ({ batchId }) => ({ batchId, mac: macs[1], note: 'on the wall' }),
  [verbs.reportProblem]: ({ batchId }) => ({ batchId, mac: macs[1], note: 'no power' }),
  [verbs.confirm]: () => ({ command: 'help', args: '', expiresAt: inAFewMinutes() }),
  [verbs.cancel]: () => ({ command: 'help' }),
  [verbs.regenerateCodes]: ({ batchId }) => ({ batchId, location: 'Lobby' }),
  [verbs.signInQueueDone]: () => ({ mac: macs[1] }),
};

/** How a door is knocked on, and how its answer reads. */
type Knock =
  | { kind: 'chat'; text: string }
  | { kind: 'card'; verb: string; data: (fixture: Fixture) => Record<string, unknown> }
  | { kind: 'dialog'; phase: 'fetch' | 'submit'; data: Record<string, unknown> };

interface Door {
  /** What the table is asked about at this door. */
  operation: Operation;
  /** Asked first, when the door sits inside a wider operation (export → exportCodes). */
  outer?: Operation;
  label: string;
  knock: Knock;
}

/** Every door of the registries, each with the operation it asks the table about. */
function doorsOfRegistries(): Door[] {
  const doors: Door[] = [];
  for (const command of commands) {
    const sample = commandSamples[command.name];
    if (!sample) continue;
    const typed = (args: string) => `${command.name} ${args}`.trim();
    const confirm = (args: string): Knock => ({ kind: 'card', verb: verbs.confirm, data: () => ({ command: command.name, args, expiresAt: inAFewMinutes() }) });
    doors.push({ operation: command.operation, label: `chat "${command.name}"`, knock: { kind: 'chat', text: typed(sample.args) } });
    if (command.form && sample.form) {
      doors.push({ operation: command.operation, label: `task/fetch of the ${command.name} dialog`, knock: { kind: 'dialog', phase: 'fetch', data: { dialog: command.name } } });
      doors.push({ operation: command.operation, label: `task/submit of the ${command.name} dialog`, knock: { kind: 'dialog', phase: 'submit', data: { dialog: command.name, ...sample.form } } });
    }
    doors.push({ operation: command.operation, label: `"${verbs.confirm}" on a confirmation of "${command.name}"`, knock: confirm(sample.args) });
    for (const inner of sample.inner ?? []) {
      doors.push({ operation: inner.operation, outer: command.operation, label: `chat "${typed(inner.args)}"`, knock: { kind: 'chat', text: typed(inner.args) } });
      doors.push({ operation: inner.operation, outer: command.operation, label: `"${verbs.confirm}" on a confirmation of "${typed(inner.args)}"`, knock: confirm(inner.args) });
    }
  }
  for (const action of actions) {
    const data = verbSamples[action.verb];
    if (!data) continue;
    doors.push({ operation: action.operation, label: `card button "${action.verb}"`, knock: { kind: 'card', verb: action.verb, data } });
  }
  return doors;
}

const doors = doorsOfRegistries();

/** The operation a person is refused at a door: the outer one when they may not even do that. */
const refusedOperation = (door: Door, who: Who): Operation => (door.outer && !can(heldBy(who), door.outer) ? door.outer : door.operation);

/** Operations that commands and actions authorise inside their run (authorize(roles, 'x', …)), read from their source. */
function operationsAuthorisedInside(): Operation[] {
  const found = new Set<Operation>();
  for (const folder of ['commands', 'actions']) {
    const dir = fileURLToPath(new URL(`../../../bot/${folder}/`, import.meta.url));
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      for (const match of readFileSync(`${dir}${file}`, 'utf8').matchAll(/\bauthorize\(\s*[\w.]+,\s*'(\w+)'/g)) found.add(match[1] as Operation);
    }
  }
  return [...found];
}

const refusals = doors.flatMap((door) =>
  permissionFor(door.operation) === 'anyone' ? [] : everyone.filter((who) => !can(heldBy(who), door.operation)).map((who) => ({ door, who, refused: refusedOperation(door, who) })),
);

/** One door per operation for the allowed roles: its chat command where it has one, else its first door. */
const positives = operations.flatMap((operation) => {
  const reaching = doors.filter((door) => door.operation === operation);
  const door = reaching.find((candidate) => candidate.knock.kind === 'chat') ?? reaching[0];
  return door ? everyone.filter((who) => can(heldBy(who), operation)).map((who) => ({ door, who, operation })) : [];
});

const openToAnyone = operations.filter((operation) => permissionFor(operation) === 'anyone');

describe('the permission table walk is complete', () => {
  it('every command of the registry has a sample of valid arguments (and of form values when it has a form)', () => {
    const missing = commands.filter((command) => !commandSamples[command.name] || (command.form && !commandSamples[command.name]?.form)).map((command) => command.name);
    expect(missing, `add a sample for ${missing.join(', ')} to commandSamples in this file`).toEqual([]);
    for (const command of commands) {
      const sample = commandSamples[command.name]!;
      for (const args of [sample.args, ...(sample.inner ?? []).map((inner) => inner.args)]) {
        expect(command.args.safeParse(args).success, `the sample arguments of "${command.name}" ("${args}") do not fit it`).toBe(true);
      }
    }
  });

  it('every card verb of the registry has a sample of data', () => {
    const missing = actions.filter((action) => !verbSamples[action.verb]).map((action) => action.verb);
    expect(missing, `add a sample for ${missing.join(', ')} to verbSamples in this file`).toEqual([]);
  });

  it('every operation a command authorises inside its run is reached by a sample (export codes → exportCodes)', () => {
    const reachedInside = new Set(Object.values(commandSamples).flatMap((sample) => (sample.inner ?? []).map((inner) => inner.operation)));
    const missing = operationsAuthorisedInside().filter((operation) => !reachedInside.has(operation));
    expect(missing, `add { inner: [{ operation, args }] } to the command sample that reaches ${missing.join(', ')}`).toEqual([]);
  });

  it('every operation of the table is reached by at least one door (no dead rows)', () => {
    const reached = new Set(doors.map((door) => door.operation));
    expect(operations.filter((operation) => !reached.has(operation))).toEqual([]);
  });
});

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('every door of every operation asks the permission table', () => {
    let bot: TestBot;
    const fixture: Fixture = { batchId: '' };

    beforeAll(async () => {
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: setupAdminId }, { scheduler: 'off' });
      const { services } = bot.server;
      const actor = { kind: 'user' as const, id: setupAdminId, name: 'Setup Admin' };
      for (const role of allRoles) await services.roles.grant(actor, tenantId, { platform: 'teams', userId: people[role].aadObjectId, name: people[role].name }, role);
      await services.devices.registry.register(actor, tenantId, macs.map((mac) => ({ mac, location: 'Lobby' })));
      const issued = await services.devices.codes.issue(actor, tenantId, { macs: [...macs] });
      fixture.batchId = issued.batchId;
      // One device waits for sign-in, so the sign-in samples are real.
      const code = issued.issued.find((entry) => entry.mac === macs[1])?.code ?? '';
      await services.devices.provisioning.provision({ mac: macs[1], verificationCode: code });
      await deliverPendingNotifications(bot.server);
    }, 120_000);
    afterAll(async () => {
      await bot?.close();
    });
    beforeEach(async () => {
      // What an earlier door enqueued is delivered first: delivery writes too.
      await deliverPendingNotifications(bot.server);
    });

    /** Knocks on the door as the person, over HTTP; everything the bot answered, as one string. */
    async function knock(door: Door, who: Who): Promise<string> {
      const from = people[who];
      const options = { tenantId, from, conversationId: `a:personal-${from.aadObjectId}` };
      const { knock } = door;
      if (knock.kind === 'chat') {
        const activity = bot.channel.activity({ type: 'message', text: knock.text }, options);
        const response = await bot.channel.post(activity);
        expect(response.status, `"${knock.text}" answered HTTP ${response.status}`).toBe(200);
        const isReply = (received: { targetActivityId: string | null }) => received.targetActivityId === activity.id;
        const replies = await bot.channel.waitFor(1, isReply, 15_000);
        return JSON.stringify(replies.map((reply) => reply.body));
      }
      const response = knock.kind === 'card' ? await bot.channel.invoke(knock.verb, knock.data(fixture), options) : await bot.channel.dialog(knock.phase, knock.data, options);
      // A refused card press is Universal Actions' error response, its status the HTTP status (4xx: the card stays).
      const expected = knock.kind === 'card' ? ((response.body as { statusCode?: number } | null)?.statusCode ?? 200) : 200;
      expect(response.status, `${door.label} answered HTTP ${response.status}: ${JSON.stringify(response.body)}`).toBe(expected);
      expect(response.status).toBeLessThan(500);
      return JSON.stringify(response.body);
    }

    it.each(refusals.map((refusal) => [`${refusal.door.label}: ${personWith(refusal.who)} is refused ${refusal.door.operation}, and the store does not change`, refusal] as const))(
      '%s',
      async (_name, { door, who, refused }) => {
        const before = await domainSnapshot(bot.server.store.db);
        const answer = await knock(door, who);
        expect(answer).toContain(`needs ${whoMay(refused)}`);
        expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
      },
    );

    it.each(positives.map((positive) => [`${positive.operation}: ${personWith(positive.who)} gets past the permission check at ${positive.door.label}`, positive] as const))(
      '%s',
      async (_name, { door, who }) => {
        const answer = await knock(door, who);
        expect(answer).not.toMatch(/needs (the \w+ role|one of the roles)/);
      },
    );

    it.skip.each(openToAnyone)('%s is open to anyone: no role is refused, so there is no refusal to walk', () => {});
  });
});
