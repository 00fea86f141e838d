import { it } from 'vitest';
import { createTestApp } from './helpers/test-app.ts';

it('times import and detect', async () => {
  const t = await createTestApp();
  if (process.env.RULE) console.log((await t.call({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Welcome', eventType: 'customer.joined', points: 100, limits: { oncePerCustomer: true } } })).statusCode);
  const lines = ['phone,email,first_name,last_name'];
  for (let r = 0; r < 10000; r++) lines.push(`+7999${String(r).padStart(7, '0')},p${r}@example.com,Imported,Row ${r}`);
  let started = Date.now();
  const up = await t.call({ method: 'POST', url: '/v1/imports/customers?fileName=a.csv', payload: lines.join('\n') + '\n', headers: { 'content-type': 'text/csv' } });
  const id = up.json().id;
  for (;;) {
    const job = (await t.call({ method: 'GET', url: `/v1/imports/${id}?errorsLimit=0` })).json();
    if (job.status !== 'running' && job.status !== 'queued' && job.status !== 'pending') { console.log('import', job.status, Date.now() - started, 'ms'); break; }
    await new Promise((r) => setTimeout(r, 100));
  }
  started = Date.now();
  const r = await t.call({ method: 'POST', url: '/v1/jobs/detect-customer-actions/run' });
  console.log('detect', r.statusCode, r.body, Date.now() - started, 'ms');
  await t.close();
}, 600_000);
