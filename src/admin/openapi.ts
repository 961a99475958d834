// The OpenAPI 3.1 document of the admin API, derived from the command table (never written by hand).
import type { AdminCommand } from './context.js';
import type { ParamSpec } from './params.js';

function schemaOf(p: ParamSpec): Record<string, unknown> {
  switch (p.type) {
    case 'uid':
      return { type: 'integer', minimum: 1, maximum: 0xffffffff, description: p.doc };
    case 'int':
      return { type: 'integer', minimum: p.min ?? 0, ...(p.max !== undefined ? { maximum: p.max } : {}), description: p.doc };
    case 'bool':
      return { type: 'boolean', description: p.doc };
    case 'string':
      return { type: 'string', description: p.doc, ...(p.secret ? { format: 'password' } : {}) };
  }
}

const ERROR = {
  description: 'error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

/** The OpenAPI document for `commands`. */
export function openApi(commands: readonly AdminCommand[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const c of commands) {
    const inPath = new Set([...c.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
    const entries = Object.entries(c.params);
    const parameters = entries
      .filter(([n]) => inPath.has(n) || c.method !== 'POST')
      .map(([name, p]) => ({ name, in: inPath.has(name) ? 'path' : 'query', required: inPath.has(name) || p.required !== false, schema: schemaOf(p) }));
    const bodyParams = c.method === 'POST' ? entries.filter(([n]) => !inPath.has(n)) : [];
    const op: Record<string, unknown> = {
      operationId: c.name,
      summary: c.summary,
      parameters,
      responses: { 200: { description: 'the result', content: { 'application/json': {} } }, 400: ERROR, 401: ERROR, 404: ERROR, ...(c.live ? { 503: ERROR } : {}) },
    };
    if (bodyParams.length) {
      op.requestBody = {
        required: bodyParams.some(([, p]) => p.required !== false),
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: Object.fromEntries(bodyParams.map(([n, p]) => [n, schemaOf(p)])),
              required: bodyParams.filter(([, p]) => p.required !== false).map(([n]) => n),
              additionalProperties: false,
            },
          },
        },
      };
    }
    (paths[c.path] ??= {})[c.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'oicq-kit admin API', version },
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
        },
      },
    },
    security: [{ token: [] }],
    paths,
  };
}
