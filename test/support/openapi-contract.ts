// The OpenAPI document as the API's contract: every answer's status must be listed for its operation, and its body
// must match the schema listed for that status and media type (problem+json for every refusal).
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { HttpResponse } from './http';

export type ContractCheck = (what: string, op: any, res: HttpResponse) => void;

/** A checker bound to `doc`; a mismatch throws an Error that names the request, the status and what was wrong. */
export function contractOf(doc: any): ContractCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc.components.schemas.Problem, $id: 'problem' });
  const compiled = new Map<unknown, ValidateFunction>();
  const validatorFor = (schema: any): ValidateFunction => {
    if (schema?.$ref === '#/components/schemas/Problem') return ajv.getSchema('problem')!;
    let v = compiled.get(schema);
    if (!v) compiled.set(schema, (v = ajv.compile(schema)));
    return v;
  };
  return (what, op, res) => {
    const documented = op.responses?.[String(res.status)];
    if (!documented) {
      throw new Error(`${what}: answered ${res.status}, which ${op.operationId} does not document (it lists ${Object.keys(op.responses ?? {}).join(', ')}); body ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    if (res.body === undefined || res.body === '') return;
    const content = documented.content?.[mediaType];
    if (!content) throw new Error(`${what}: ${res.status} answered ${mediaType || 'no media type'}, which ${op.operationId} does not document for ${res.status}`);
    const validate = validatorFor(content.schema);
    if (!validate(res.body)) {
      throw new Error(`${what}: the ${res.status} body does not match ${op.operationId}'s schema: ${ajv.errorsText(validate.errors)}; body ${JSON.stringify(res.body).slice(0, 300)}`);
    }
  };
}
