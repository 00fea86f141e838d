import { PGlite } from '@electric-sql/pglite';
const t0 = Date.now();
const db = new PGlite();
await db.waitReady;
console.log('init ms', Date.now()-t0);
const r = await db.query("select 1::int8 as a, '2020-01-02'::date as d, now() as t, 1.5::numeric as n, '{\"a\":1}'::jsonb as j, array['a']::text[] as arr");
console.log(r.rows, r.fields);
const t1=Date.now(); const dump = await db.dumpDataDir('none'); console.log('dump', Date.now()-t1, dump.size);
const t2=Date.now(); const db2 = new PGlite({loadDataDir: dump}); await db2.waitReady; console.log('load', Date.now()-t2);
