// Validates an OpenAPI document with @apidevtools/swagger-parser. That package pulls in ES modules, which
// jest's module system cannot load, so it runs in a plain Node process (Node loads them natively).
import { execFileSync } from 'node:child_process';

const SCRIPT = `
const SwaggerParser = require('@apidevtools/swagger-parser');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => SwaggerParser.validate(JSON.parse(input)).then(
  () => process.stdout.write('valid'),
  (err) => process.stdout.write('invalid: ' + err.message),
));`;

/** 'valid', or 'invalid: <reasons>'. */
export function validateOpenApi(document: unknown): string {
  return execFileSync(process.execPath, ['-e', SCRIPT], { input: JSON.stringify(document), encoding: 'utf8' });
}
