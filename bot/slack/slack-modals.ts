// A command's form (bot/commands/dialogs.ts) as a Slack modal: views.open with the trigger_id
// of the slash command or button, one input block per field (its block_id and action_id are
// the field's id), and on submit the values back as the form's fields. Errors found on submit
// are shown on their fields (response_action "errors"); a problem with the whole form on the
// first field. Which form and where to answer travel in private_metadata, which Slack keeps
// and the person cannot change.
import type { FormField, FormView } from '../views/view-data.ts';
import { blockKitLimits, cut, escapeText, mrkdwn, plainText, sections, type SlackBlock } from './block-kit.ts';

export const formCallbackId = 'provision.form';

/** Slack's plain_text_input takes at most 3,000 characters: longer CSVs go as a file. */
export const modalTextChars = 3000;

/**
 * Forms whose text field may be given as a file instead (Slack's file_input): the command the
 * file is attached to, as if uploaded with it. The text field is then optional in the modal.
 */
export const fileFields: Readonly<Record<string, string>> = { import: 'csv' };
const fileBlockId = (field: string) => `${field}.file`;

export interface FormMetadata {
  dialog: string;
  /** Where the command's reply is posted. */
  channel: string;
}

function fieldBlock(field: FormField, value: string): SlackBlock {
  const hint = [field.hint, field.kind !== 'choice' && field.suggestAs !== 'pick' && field.choices?.length ? `In use: ${field.choices.slice(0, 10).map((choice) => choice.label).join(' · ')}` : '']
    .filter((part) => part)
    .join(' ');
  const common = { type: 'input', block_id: field.id, optional: !field.required, label: plainText(field.label, 2000), ...(hint ? { hint: plainText(hint, 2000) } : {}) };
  const choices = field.choices ?? [];
  if (field.kind === 'choice' || (field.suggestAs === 'pick' && choices.length > 0)) {
    const options = choices.slice(0, blockKitLimits.optionsPerSelect).map((choice) => ({ text: plainText(choice.label, blockKitLimits.optionTextChars), value: cut(choice.value, 150) }));
    const initial = options.find((option) => option.value === value);
    return { ...common, element: { type: 'static_select', action_id: field.id, options, ...(initial ? { initial_option: initial } : {}) } };
  }
  return {
    ...common,
    element: {
      type: 'plain_text_input',
      action_id: field.id,
      multiline: field.kind === 'multiline',
      max_length: modalTextChars,
      ...(value ? { initial_value: cut(value, modalTextChars) } : {}),
      ...(field.placeholder ? { placeholder: plainText(field.placeholder, 150) } : {}),
    },
  };
}

/** The form as a modal view for views.open. */
export function modalOf(form: FormView, channel: string): Record<string, unknown> {
  const metadata: FormMetadata = { dialog: form.dialog, channel };
  const blocks: SlackBlock[] = [...sections(mrkdwn(form.intro))];
  if (form.problem) blocks.push(...sections(`:warning: ${escapeText(form.problem)}`));
  const fileField = fileFields[form.dialog];
  for (const field of form.fields) {
    if (field.id !== fileField) {
      blocks.push(fieldBlock(field, form.values[field.id] ?? ''));
      continue;
    }
    // Either a file or pasted text: neither is required on its own.
    blocks.push({
      type: 'input',
      block_id: fileBlockId(field.id),
      optional: true,
      label: plainText(`${field.label} file`, 2000),
      hint: plainText('A .csv file, or paste it below (up to 3,000 characters).', 2000),
      element: { type: 'file_input', action_id: fileBlockId(field.id), filetypes: ['csv', 'txt'], max_files: 1 },
    });
    blocks.push(fieldBlock({ ...field, required: false }, form.values[field.id] ?? ''));
  }
  return {
    type: 'modal',
    callback_id: formCallbackId,
    private_metadata: JSON.stringify(metadata),
    title: plainText(form.title, 24),
    submit: plainText(form.submitLabel, 24),
    close: plainText('Cancel', 24),
    blocks,
  };
}

/** The field errors as Slack shows them on a submitted modal; a whole-form problem goes on the first field. */
export function modalErrors(form: FormView): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [id, error] of Object.entries(form.errors)) if (error) errors[id] = cut(error, 2000);
  const first = form.fields[0]?.id;
  if (form.problem && first && !errors[first]) errors[first] = cut(form.problem, 2000);
  return errors;
}

/** The file chosen in the form's file input, if the form has one and a file was chosen. */
export function submittedFile(dialog: string, state: unknown): string | null {
  const field = fileFields[dialog];
  if (!field) return null;
  const blocks = (state as { values?: Record<string, Record<string, { files?: { id?: unknown }[] }>> } | undefined)?.values ?? {};
  const id = blocks[fileBlockId(field)]?.[fileBlockId(field)]?.files?.[0]?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** The submitted values by field id (typed text or the chosen option). */
export function submittedValues(state: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const blocks = (state as { values?: Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null }>> } | undefined)?.values ?? {};
  for (const block of Object.values(blocks)) {
    for (const [id, input] of Object.entries(block)) {
      const value = input.selected_option?.value ?? input.value;
      if (typeof value === 'string') values[id] = value;
    }
  }
  return values;
}

export { fileBlockId };

export function metadataOf(raw: unknown): FormMetadata | null {
  if (typeof raw !== 'string') return null;
  try {
    const parsed = JSON.parse(raw) as Partial<FormMetadata>;
    return typeof parsed.dialog === 'string' && typeof parsed.channel === 'string' ? { dialog: parsed.dialog, channel: parsed.channel } : null;
  } catch {
    return null;
  }
}
