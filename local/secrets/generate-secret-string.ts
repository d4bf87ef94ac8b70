/**
 * The value of a secret declared with `GenerateSecretString`, generated the way Secrets Manager's
 * GetRandomPassword does, with node:crypto randomness:
 * - PasswordLength (default 32, 1 to 4096) characters drawn from upper and lower case letters,
 *   digits and the 32 ASCII punctuation characters, minus ExcludeUppercase / ExcludeLowercase /
 *   ExcludeNumbers / ExcludePunctuation classes and ExcludeCharacters, plus a space if IncludeSpace;
 * - RequireEachIncludedType (default true): at least one character of every remaining class
 *   (upper, lower, digit, punctuation);
 * - with SecretStringTemplate and GenerateStringKey: the template's JSON object with the password
 *   added under that key.
 */
import { randomInt } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export const DEFAULT_PASSWORD_LENGTH = 32;
const MAX_PASSWORD_LENGTH = 4096;

/** The CloudFormation `GenerateSecretString` property; booleans and numbers may arrive as strings. */
export interface GenerateSecretStringSpec {
  readonly PasswordLength?: number | string;
  readonly ExcludeCharacters?: string;
  readonly ExcludeUppercase?: boolean | string;
  readonly ExcludeLowercase?: boolean | string;
  readonly ExcludeNumbers?: boolean | string;
  readonly ExcludePunctuation?: boolean | string;
  readonly IncludeSpace?: boolean | string;
  readonly RequireEachIncludedType?: boolean | string;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

export class SecretGenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretGenerationError';
  }
}

function flag(value: boolean | string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === 'true';
}

function passwordLength(value: number | string | undefined): number {
  const length = value === undefined ? DEFAULT_PASSWORD_LENGTH : Number(value);
  if (!Number.isInteger(length) || length < 1 || length > MAX_PASSWORD_LENGTH) {
    throw new SecretGenerationError(`PasswordLength must be an integer from 1 to ${MAX_PASSWORD_LENGTH}, got ${String(value)}`);
  }
  return length;
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] ?? '';
}

/** A random password per the spec's character rules (the template is not applied). */
export function generatePassword(spec: GenerateSecretStringSpec): string {
  const length = passwordLength(spec.PasswordLength);
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const keep = (chars: string): string => [...chars].filter((char) => !excluded.has(char)).join('');
  const classes = [
    flag(spec.ExcludeUppercase, false) ? '' : keep(UPPER),
    flag(spec.ExcludeLowercase, false) ? '' : keep(LOWER),
    flag(spec.ExcludeNumbers, false) ? '' : keep(DIGITS),
    flag(spec.ExcludePunctuation, false) ? '' : keep(PUNCTUATION),
  ].filter((chars) => chars !== '');
  const space = flag(spec.IncludeSpace, false) && !excluded.has(' ') ? ' ' : '';
  const alphabet = classes.join('') + space;
  if (alphabet === '') throw new SecretGenerationError('GenerateSecretString excludes every character');

  const required = flag(spec.RequireEachIncludedType, true) ? classes : [];
  if (required.length > length) {
    throw new SecretGenerationError(`PasswordLength ${length} is too short to include each of the ${required.length} character types`);
  }
  // One of each required class, the rest from the whole alphabet, then a Fisher-Yates shuffle so
  // the required characters are not always in front.
  const chars = [...required.map(pick), ...Array.from({ length: length - required.length }, () => pick(alphabet))];
  for (let index = chars.length - 1; index > 0; index--) {
    const other = randomInt(index + 1);
    [chars[index], chars[other]] = [chars[other] ?? '', chars[index] ?? ''];
  }
  return chars.join('');
}

/** The SecretString a `GenerateSecretString` declaration yields. */
export function generateSecretString(spec: GenerateSecretStringSpec): string {
  const password = generatePassword(spec);
  const { SecretStringTemplate: template, GenerateStringKey: key } = spec;
  if (template === undefined && key === undefined) return password;
  if (template === undefined || key === undefined || key === '') {
    throw new SecretGenerationError('SecretStringTemplate and GenerateStringKey must be given together');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new SecretGenerationError(`SecretStringTemplate is not valid JSON: ${template}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretGenerationError('SecretStringTemplate must be a JSON object');
  }
  return JSON.stringify({ ...(parsed as Record<string, unknown>), [key]: password });
}
