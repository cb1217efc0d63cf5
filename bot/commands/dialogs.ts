// Command forms as dialogs: opening one (Teams task/fetch, a Slack modal later) and running
// its submit. A submit becomes the same command run a typed message would be (router.ts's
// runCommand: the permission table, the argument schema, DomainErrors in words), so a form
// can never do more than typing could. Bad input answers the form again, with each error
// next to its field, and changes nothing.
import { quoted } from '../actions/card-data.ts';
import { errorReply, type Reply } from '../views/reply.ts';
import type { FormView } from '../views/view-data.ts';
import type { CommandContext, CommandSpec } from './command-spec.ts';
import { findCommand } from './find-command.ts';
import { refusalOf, runCommand } from './router.ts';

/** What a dialog door shows next: the form (again), or the command's reply (or a refusal). */
export type DialogStep = { form: FormView } | { reply: Reply };

/** Longest value a form field may carry (a pasted CSV is the longest; the import limit applies after). */
export const maxFieldChars = 2_000_000;

function commandWithForm(name: unknown, context: CommandContext): { command: CommandSpec & { form: NonNullable<CommandSpec['form']> } } | { reply: Reply } {
  const command = typeof name === 'string' ? findCommand(context.commands, name) : undefined;
  if (!command || !command.form) {
    return { reply: errorReply('Unknown dialog', `There is no dialog "${quoted(name)}" in this version of the bot.`, 'Type "help" to get a fresh card.') };
  }
  return { command: command as CommandSpec & { form: NonNullable<CommandSpec['form']> } };
}

/** Only the form's own fields, as text: anything else a client sends is ignored. */
function valuesOf(command: CommandSpec & { form: NonNullable<CommandSpec['form']> }, data: unknown): { values: Record<string, string> } | { problem: string } {
  const values: Record<string, string> = {};
  const sent = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  for (const field of command.form.fields) {
    const value = sent[field.id];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return { problem: `${field.label}: expected text.` };
    if (value.length > maxFieldChars) return { problem: `${field.label} is longer than any command takes.` };
    values[field.id] = value;
  }
  return { values };
}

async function formOf(command: CommandSpec & { form: NonNullable<CommandSpec['form']> }, context: CommandContext, state: Pick<FormView, 'values' | 'errors' | 'problem'>): Promise<FormView> {
  const { form } = command;
  const suggestions: Partial<Record<string, { value: string; label: string }[]>> = form.suggest ? await form.suggest(context) : {};
  return {
    dialog: command.name,
    title: form.title,
    intro: form.intro,
    submitLabel: form.submitLabel,
    fields: form.fields.map((field) => {
      const choices = suggestions[field.id];
      return choices ? { ...field, choices } : { ...field };
    }),
    ...state,
  };
}

/** Opens the command's form, prefilled with what the button carried. Refused like the command itself. */
export async function openDialog(name: unknown, prefill: unknown, context: CommandContext): Promise<DialogStep> {
  const found = commandWithForm(name, context);
  if ('reply' in found) return found;
  const refusal = refusalOf(found.command, context);
  if (refusal) return { reply: refusal };
  const sent = valuesOf(found.command, prefill);
  const values = 'values' in sent ? sent.values : {};
  return { form: await formOf(found.command, context, { values, errors: {}, problem: null }) };
}

/** Runs a submitted form as its command; the form again when a field is wrong or the command refused it. */
export async function submitDialog(name: unknown, data: unknown, context: CommandContext): Promise<DialogStep> {
  const found = commandWithForm(name, context);
  if ('reply' in found) return found;
  const { command } = found;
  // Authorised before anything of the submit is looked at: a forged submit learns nothing.
  const refusal = refusalOf(command, context);
  if (refusal) return { reply: refusal };
  const sent = valuesOf(command, data);
  if ('problem' in sent) return { form: await formOf(command, context, { values: {}, errors: {}, problem: sent.problem }) };
  const { values } = sent;

  const errors: Record<string, string> = {};
  for (const field of command.form.fields) {
    if (field.required && (values[field.id] ?? '').trim() === '') errors[field.id] = `${field.label} is required.`;
  }
  for (const [id, error] of Object.entries(command.form.check?.(values, context) ?? {})) if (error) errors[id] = error;
  if (Object.keys(errors).length > 0) return { form: await formOf(command, context, { values, errors, problem: null }) };

  const rest = command.form.toArgs(values).trim();
  const parsed = command.args.safeParse(rest);
  if (!parsed.success) {
    const problem = `${parsed.error.issues.map((issue) => issue.message).join('; ')}.`;
    return { form: await formOf(command, context, { values, errors: {}, problem }) };
  }
  const reply = await runCommand(command, rest, context);
  if (reply.view?.name === 'commandError') {
    // The command refused (e.g. a device of another state): keep the person's input.
    const { title, problem } = reply.view.data;
    return { form: await formOf(command, context, { values, errors: {}, problem: `${title}: ${problem}` }) };
  }
  return { reply };
}

