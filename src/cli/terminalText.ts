/**
 * Text from the logs made safe for a terminal. Host names, process names, targets, categories and
 * file names come from records and archives an attacker can write; a control character in them
 * (`\x1b[2K\r` erases the line, `\x1b]0;…\x07` retitles the window) would act on the operator's
 * terminal instead of being shown. Each C0 control, DEL and C1 control is shown as its `\xHH`
 * escape; everything else as it is.
 */
export function printable(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : text;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
