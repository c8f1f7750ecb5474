// docker-compose.yml and `npm run cluster` share one Temporal config (deploy/temporal/config/production.yaml), which
// the server renders from the environment. Nothing runs containers here, so this checks what can drift: every
// variable compose gives the Temporal services is one the config reads, and every service runs from that file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { CLUSTER_SERVICES } from '../../lib/temporal/cluster';

const root = path.resolve(__dirname, '..', '..');
const compose = YAML.parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const config = readFileSync(path.join(root, 'deploy', 'temporal', 'config', 'production.yaml'), 'utf8');
const readByConfig = new Set([...config.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]));

it('runs each Temporal service from the shared config, as its own container', () => {
  for (const service of CLUSTER_SERVICES) {
    const container = compose.services[`temporal-${service}`];
    expect(container?.image).toBe('temporalio/server:1.29.1');
    expect(container.environment.SERVICE).toBe(service);
    expect(container.volumes).toContain('./deploy/temporal/config:/etc/temporal/config:ro');
    expect(container.entrypoint.join(' ')).toContain('--env production');
  }
});

it('gives the Temporal services only variables the config reads', () => {
  for (const service of CLUSTER_SERVICES) {
    const env = Object.keys(compose.services[`temporal-${service}`].environment).filter((name) => name.startsWith('TEMPORAL_'));
    expect(env.filter((name) => !readByConfig.has(name))).toEqual([]);
  }
  expect(config.split('\n')[0]).toBe('# enable-template'); // without it the server reads the {{ }} literally
});

it('sets up the schemas in a one-shot job before any service, and runs two APIs and two workers per queue', () => {
  const job = compose.services['temporal-schema'].command.join(' ');
  expect(job).toContain('temporal-sql-tool --plugin postgres12');
  expect(job).toContain('update-schema --schema-name');
  expect(compose.services['temporal-frontend'].depends_on['temporal-schema'].condition).toBe('service_completed_successfully');
  expect(compose.services.api.deploy.replicas).toBe(2);
  for (const role of ['workflows', 'wise-pay', 'company', 'service']) expect(compose.services[`worker-${role}`].deploy.replicas).toBe(2);
});
