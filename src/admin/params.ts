// Typed parameters of admin commands: declared once per command, checked the same way for every face
// (HTTP query or JSON body, CLI options), so a bad value reads the same wherever it was typed.

/** A parameter's type: `uid` is 1..2^32-1, `int` a whole number in [min, max], `string` non-empty text. */
export type ParamType = 'uid' | 'int' | 'string' | 'bool';

/** One parameter of an admin command. */
export interface ParamSpec {
  type: ParamType;
  doc: string;
  /** Required unless false; optional parameters are undefined when absent. */
  required?: boolean;
  min?: number;
  max?: number;
  /** Secret values (passwords) are never echoed back or logged. */
  secret?: boolean;
}

/** A command's parameters by name. */
export type ParamSpecs = Record<string, ParamSpec>;

type ValueOf<T extends ParamType> = T extends 'uid' | 'int' ? number : T extends 'bool' ? boolean : string;

/** The checked arguments a handler receives: typed from its specs, optional ones possibly undefined. */
export type ArgsOf<P extends ParamSpecs> = {
  [K in keyof P as P[K]['required'] extends false ? never : K]: ValueOf<P[K]['type']>;
} & {
  [K in keyof P as P[K]['required'] extends false ? K : never]?: ValueOf<P[K]['type']>;
};

/** Why an admin command failed: a code for programs, an HTTP status, a message for people. */
export type AdminErrorCode = 'bad_param' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'not_running' | 'rate_limited' | 'too_large';

const STATUS: Record<AdminErrorCode, number> = {
  bad_param: 400, unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, too_large: 413, rate_limited: 429, not_running: 503,
};

/** An admin command's failure, shown as `{ error: { code, message } }` over HTTP and as one line in the CLI. */
export class AdminError extends Error {
  constructor(readonly code: AdminErrorCode, message: string) {
    super(message);
    this.name = 'AdminError';
  }

  /** The HTTP status of this error. */
  get status(): number {
    return STATUS[this.code];
  }
}

/**
 * Checks raw values (strings from a URL or the CLI, or JSON values) against the specs and returns the typed
 * arguments. Unknown names, missing required ones and bad values are `bad_param` errors naming the parameter.
 */
export function checkArgs<P extends ParamSpecs>(specs: P, raw: Record<string, unknown>): ArgsOf<P> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(raw)) {
    if (!(name in specs)) {
      const known = Object.keys(specs);
      throw new AdminError('bad_param', `unknown parameter '${name}'${known.length ? ` (parameters: ${known.join(', ')})` : ' (this command takes none)'}`);
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const v = raw[name];
    if (v === undefined || v === null || v === '') {
      if (spec.required !== false) throw new AdminError('bad_param', `missing parameter '${name}': ${spec.doc}`);
      continue;
    }
    out[name] = coerce(name, spec, v);
  }
  return out as ArgsOf<P>;
}

function coerce(name: string, spec: ParamSpec, v: unknown): number | string | boolean {
  switch (spec.type) {
    case 'uid':
    case 'int': {
      const [min, max] = spec.type === 'uid' ? [1, 0xffffffff] : [spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER];
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new AdminError('bad_param', `parameter '${name}' must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      }
      return n;
    }
    case 'bool':
      if (v === true || v === 'true' || v === '1') return true;
      if (v === false || v === 'false' || v === '0') return false;
      throw new AdminError('bad_param', `parameter '${name}' must be true or false, got ${JSON.stringify(v)}`);
    case 'string':
      if (typeof v !== 'string' && typeof v !== 'number') throw new AdminError('bad_param', `parameter '${name}' must be text`);
      return String(v);
  }
}
