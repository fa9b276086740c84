/**
 * The shape of a `tokenwatch` command line: each command declares its own flags (a flag of one
 * command is unknown to the others), the parse is node:util's `parseArgs` in strict mode, and
 * the help text is written from the same declaration, so the two cannot disagree.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './cliErrors';
import { wrapText as wrap } from './wrapText';

export interface FlagSpec {
  /** The value's placeholder in the help (`FILE`, `N`); absent for a switch. */
  readonly value?: string;
  readonly short?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** What follows the command name in the synopsis (`<files or folders…>`), empty when it takes none. */
  readonly operands: string;
  /** How many operands it takes at least; 0 with an empty `operands` means none at all. */
  readonly minOperands: number;
  /** Paragraphs after the synopsis. */
  readonly description: readonly string[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

/** Flags every command takes. */
export const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  help: { short: 'h', help: 'show this help' },
  debug: { help: 'on failure, print the stack trace and every cause' },
};

export interface CommandLine {
  readonly operands: string[];
  /** Values of the flags given: a string for a flag with a value, `true` for a switch. */
  readonly flags: Readonly<Record<string, string | true>>;
}

/**
 * A whole number written in decimal digits only (`30`, not `0x1e`, `1.0`, ` 5 ` or `1e1`, which
 * Number() would all take): undefined for anything else.
 */
export function decimalWholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/**
 * An ISO 8601 time with its zone (`2026-12-01T08:30:00Z`, `…+01:00`) or a date (`2026-12-01`, UTC
 * midnight), years 2000 to 2999, as epoch ms; undefined for anything else. Date.parse would take
 * `1` (the year 2001), `Dec 5 2026` (in the machine's zone) or `99999-01-01`.
 */
export function isoTimeFlag(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^(2\d{3})-(\d{2})-(\d{2})(?:T(\d{2}):\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour = '00'] = match;
  // Date.parse rolls 30 February over to March and takes 24:00: both are refused.
  const valid = Number(hour) < 24 && new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() === Number(day) && Number(month) >= 1 && Number(month) <= 12;
  const ms = Date.parse(match[4] === undefined ? `${text!}T00:00:00Z` : text!);
  return valid && !Number.isNaN(ms) ? ms : undefined;
}

/** A flag's value when it was given with one. */
export function stringFlag(line: CommandLine, name: string): string | undefined {
  const value = line.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** Parses a command's arguments (after the command name); an unknown flag or a missing value is a UsageError naming it. */
export function parseCommandLine(spec: CommandSpec, args: readonly string[]): CommandLine {
  const flags = { ...spec.flags, ...COMMON_FLAGS };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, flag] of Object.entries(flags)) options[name] = { type: flag.value === undefined ? 'boolean' : 'string', ...(flag.short ? { short: flag.short } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw usageErrorOf(spec, error);
  }
  // A value given twice (`--out a.ndjson … --out b.ndjson`) is more likely a slip than a choice of the last.
  const given = new Map<string, string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    const before = given.get(token.name);
    if (before !== undefined) throw new UsageError(`--${token.name} is given twice ("${withoutSecrets(before)}", then "${withoutSecrets(token.value)}"): give it once`);
    given.set(token.name, token.value);
  }
  const values: Record<string, string | true> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined || value === false) continue;
    if (value === '') throw new UsageError(`--${name} needs a value (${flags[name]?.value ?? 'a value'})`);
    if (typeof value === 'string' || value === true) values[name] = value;
  }
  if (values['help'] === true) return { operands: parsed.positionals, flags: values };
  if (spec.operands === '' && parsed.positionals.length > 0) throw new UsageError(`${spec.name} takes no file arguments (got "${parsed.positionals[0]}")`);
  if (parsed.positionals.length < spec.minOperands) throw new UsageError(`${spec.name} needs ${spec.operands}`);
  return { operands: parsed.positionals, flags: values };
}

function usageErrorOf(spec: CommandSpec, error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // Node names an option with a short form as '-h, --help': the long form is the one to show.
  const option = /'(?:-[^-', ]+, )?(-{1,2}[^' =,]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(`unknown option ${option ?? message} for ${spec.name} (a file name starting with "-" goes after "--")`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) return new UsageError(`${option} takes no value`);
    const name = option?.replace(/^-+/, '') ?? '';
    const flag = spec.flags[name];
    // `--records -5`: the value looks like a flag, so it is not taken as the value.
    const dashed = /ambiguous/.test(message) ? `; a value starting with "-" is written ${option}=-…` : '';
    return new UsageError(`${option} needs a value${flag?.value ? ` (${flag.value})` : ''}${dashed}`);
  }
  return error instanceof Error ? error : new UsageError(message);
}

/** The command's help: synopsis, description, flags. */
export function formatCommandHelp(spec: CommandSpec): string {
  const flags = { ...spec.flags, ...COMMON_FLAGS };
  const lines = [`tokenwatch ${spec.name}${spec.operands ? ` ${spec.operands}` : ''} [options]`, '', ...wrap(spec.summary, 96).map((l) => `  ${l}`)];
  for (const paragraph of spec.description) lines.push('', ...wrap(paragraph, 96).map((l) => `  ${l}`));
  lines.push('', 'Options:');
  const left = Object.entries(flags).map(([name, flag]) => `${flag.short ? `-${flag.short}, ` : '    '}--${name}${flag.value ? ` ${flag.value}` : ''}`);
  const pad = Math.min(40, Math.max(...left.map((l) => l.length)) + 2);
  Object.values(flags).forEach((flag, i) => {
    const head = `  ${left[i]!}`;
    const help = wrap(flag.help, 96 - pad);
    if (head.length - 2 >= pad) lines.push(head, ...help.map((l) => `${' '.repeat(pad + 2)}${l}`));
    else lines.push(`${head.padEnd(pad + 2)}${help[0] ?? ''}`, ...help.slice(1).map((l) => `${' '.repeat(pad + 2)}${l}`));
  });
  lines.push('', 'Exit status: 0 done, 1 failed (the message says why), 2 the command line is wrong.');
  return lines.join('\n');
}

/**
 * A flag's value as it may be printed: the secrets of a connection string or a SAS URL (`AccountKey=`,
 * `SharedAccessKey=`, `SharedAccessSignature=`, `sig=`) shown as `…`. An operator pastes the
 * portal's connection string into `--store`; a message about it must not put the key in a terminal's history.
 */
export function withoutSecrets(value: string): string {
  return value.replace(/((?:AccountKey|SharedAccessKey|SharedAccessSignature|sig)=)[^;&\s"]*/gi, '$1…');
}
