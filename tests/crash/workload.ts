import { request, untilAnswered, type Answered, type Reply } from './http.ts';

/**
 * What the crash suite sends, and every write the server acknowledged. Each write carries its
 * idempotency key (the POS receipt id, the refund id, the Idempotency-Key header) and is sent
 * again until the server answers it, so every write ends either acknowledged (2xx) or refused
 * (4xx); the verification then finds each acknowledged one stored exactly once.
 */
export type AckedConfirm = {
  storeId: string;
  posReceiptId: string;
  receiptId: string;
  customerId: string | null;
  earned: number;
  redeemed: number;
  redemptionAsked: boolean;
  lines: Array<{ sku: string; qty: number }>;
};
export type AckedRefund = { receiptId: string; refundId: string; customerId: string | null; sku: string; qty: number; reversed: number; returned: number };
export type AckedAdjustment = { customerId: string; key: string; points: number; reason: string };
export type Refused = { kind: 'confirm' | 'refund' | 'adjustment'; id: string; status: number; code: string };
export type ImportRun = { fileName: string; phonePrefix: string; emailPrefix: string; rows: number; jobId: string | null; uploads: number; status: string; failure: string | null };

export type Acked = {
  confirms: Map<string, AckedConfirm>;
  refunds: Map<string, AckedRefund>;
  adjustments: Map<string, AckedAdjustment>;
  refused: Refused[];
  imports: ImportRun[];
  /** Writes sent again because an attempt went unanswered (connection refused or broken). */
  resent: number;
  /** Writes whose answer was lost in a kill (the connection broke under the request). */
  lostAnswers: number;
  /** …of which the write had landed all the same: sent again, it was answered as a replay (200). */
  landedUnanswered: number;
};

/** Sends a write until answered, counting what the kills did to it. */
async function sendWrite(acked: Acked, send: () => Promise<Reply>): Promise<Answered> {
  const answered = await untilAnswered(send);
  if (answered.attempts > 1) acked.resent++;
  if (answered.lostAnswers > 0) {
    acked.lostAnswers++;
    if (answered.reply.status === 200) acked.landedUnanswered++;
  }
  return answered;
}

export type Setup = { url: string; ownerKey: string; posKey: string; stores: string[]; customers: string[] };

const products = [
  { sku: 'CR-COFFEE', name: 'Coffee 1 kg', categoryPath: ['grocery', 'coffee'] },
  { sku: 'CR-TEA', name: 'Green tea', categoryPath: ['grocery', 'tea'] },
  { sku: 'CR-MUG', name: 'Mug', categoryPath: ['home'] },
  { sku: 'CR-BREAD', name: 'Rye bread', categoryPath: ['grocery', 'bakery'] },
  { sku: 'CR-CHEESE', name: 'Cheese', categoryPath: ['grocery', 'dairy'] },
];

function expectStatus(what: string, reply: Reply, ...statuses: number[]): Reply {
  if (!statuses.includes(reply.status)) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 500)}`);
  return reply;
}

const codeOf = (reply: Reply) => String((reply.body as { code?: unknown } | null)?.code ?? '');

/**
 * The program the load runs against: points active at once and never expiring, so a
 * customer's balance is exactly the sum of what the acknowledged writes answered.
 */
export async function setUp(url: string, ownerKey: string, options: { customers: number; seedPoints: number }, acked: Acked): Promise<Setup> {
  const call = async (method: string, path: string, json?: unknown) => (await untilAnswered(() => request(url, method, path, { key: ownerKey, json }))).reply;
  const { version: _version, updatedAt: _updatedAt, ...program } = expectStatus('GET /v1/program', await call('GET', '/v1/program'), 200).body as Record<string, unknown>;
  expectStatus('PUT /v1/program', await call('PUT', '/v1/program', { ...program, pendingDays: 0, expiry: { kind: 'never' }, maxRedeemShareBp: 5000, excludedCategories: [] }), 200);
  const stores = ['crash-1', 'crash-2'];
  for (const id of stores) expectStatus(`PUT /v1/stores/${id}`, await call('PUT', `/v1/stores/${id}`, { name: `Crash store ${id}`, timezone: 'Europe/Moscow' }), 200, 201);
  expectStatus('PUT /v1/products', await call('PUT', '/v1/products', products), 200);
  const pos = expectStatus('POST /v1/api-keys', await call('POST', '/v1/api-keys', { name: 'crash till', role: 'pos' }), 201).body as { secret: string };

  const customers: string[] = [];
  for (let i = 0; i < options.customers; i++) {
    const phone = `+7916${String(i).padStart(7, '0')}`;
    let reply = await call('POST', '/v1/customers', { phone, firstName: `Crash ${i}` });
    // A lost answer to a create that landed: the phone is taken by the customer it made.
    if (reply.status === 409) reply = await call('GET', `/v1/customers/lookup?phone=${encodeURIComponent(phone)}`);
    customers.push((expectStatus(`customer ${phone}`, reply, 200, 201).body as { id: string }).id);
  }
  const setup: Setup = { url, ownerKey, posKey: pos.secret, stores, customers };
  for (const [i, customerId] of customers.entries()) await adjust(setup, acked, customerId, `seed-${i}`, options.seedPoints);
  return setup;
}

async function adjust(setup: Setup, acked: Acked, customerId: string, key: string, points: number): Promise<void> {
  const reason = `crash ${key}`;
  const { reply } = await sendWrite(acked, () =>
    request(setup.url, 'POST', `/v1/customers/${customerId}/points/adjustments`, { key: setup.ownerKey, json: { points, reason }, headers: { 'idempotency-key': key } }),
  );
  if (reply.status === 200 || reply.status === 201) acked.adjustments.set(key, { customerId, key, points, reason });
  else acked.refused.push({ kind: 'adjustment', id: key, status: reply.status, code: codeOf(reply) });
}

type Refundable = { confirm: AckedConfirm; left: Map<string, number> };

/** Concurrent workers sending confirms (with and without redemption), refunds and adjustments until stopped. */
export function startLoad(setup: Setup, acked: Acked, options: { concurrency: number; random: () => number }) {
  const { random } = options;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  let seq = 0;
  let stopping = false;
  const refundable: Refundable[] = [];

  async function confirm(worker: number, redeem: boolean): Promise<void> {
    const posReceiptId = `r${++seq}`;
    const storeId = pick(setup.stores);
    const customerId = !redeem && random() < 0.15 ? null : pick(setup.customers);
    const chosen = [...products].sort(() => random() - 0.5).slice(0, between(1, 3));
    const lines = chosen.map((p) => ({ sku: p.sku, qty: between(1, 3), price: between(500, 9000) * 10 }));
    const body = {
      storeId,
      posReceiptId,
      registerId: `till-${worker}`,
      lines,
      ...(customerId ? { customer: { customerId } } : {}),
      ...(redeem ? { redeemPoints: between(1, 400) } : {}),
    };
    const { reply } = await sendWrite(acked, () => request(setup.url, 'POST', '/v1/checkout/confirm', { key: setup.posKey, json: body }));
    if (reply.status !== 200 && reply.status !== 201) {
      acked.refused.push({ kind: 'confirm', id: posReceiptId, status: reply.status, code: codeOf(reply) });
      return;
    }
    const answer = reply.body as { receiptId: string; pointsToEarn: number; pointsRedeemed: number };
    const done: AckedConfirm = {
      storeId,
      posReceiptId,
      receiptId: answer.receiptId,
      customerId,
      earned: answer.pointsToEarn,
      redeemed: answer.pointsRedeemed,
      redemptionAsked: redeem,
      lines: lines.map((l) => ({ sku: l.sku, qty: l.qty })),
    };
    acked.confirms.set(posReceiptId, done);
    if (customerId) refundable.push({ confirm: done, left: new Map(done.lines.map((l) => [l.sku, l.qty])) });
  }

  async function refund(): Promise<void> {
    // Taken out of the pool while its refund is under way: two workers never return the same goods.
    const item = refundable.splice(Math.floor(random() * refundable.length), 1)[0]!;
    const sku = pick([...item.left].filter(([, qty]) => qty > 0).map(([s]) => s));
    const refundId = `f${++seq}`;
    const { receiptId, customerId } = item.confirm;
    const { reply } = await sendWrite(acked, () =>
      request(setup.url, 'POST', `/v1/receipts/${receiptId}/refunds`, { key: setup.posKey, json: { refundId, lines: [{ sku, qty: 1 }] } }),
    );
    if (reply.status !== 200 && reply.status !== 201) {
      acked.refused.push({ kind: 'refund', id: refundId, status: reply.status, code: codeOf(reply) });
      return;
    }
    const answer = reply.body as { pointsReversed: number; pointsReturned: number };
    acked.refunds.set(refundId, { receiptId, refundId, customerId, sku, qty: 1, reversed: answer.pointsReversed, returned: answer.pointsReturned });
    item.left.set(sku, item.left.get(sku)! - 1);
    if ([...item.left.values()].some((qty) => qty > 0)) refundable.push(item);
  }

  async function worker(n: number): Promise<void> {
    while (!stopping) {
      const roll = random();
      if (roll < 0.4) await confirm(n, false);
      else if (roll < 0.65) await confirm(n, true);
      else if (roll < 0.8 && refundable.length > 0) await refund();
      else {
        const points = random() < 0.7 ? between(1, 300) : -between(1, 300);
        await adjust(setup, acked, pick(setup.customers), `a${++seq}`, points);
      }
    }
  }

  const workers = Array.from({ length: options.concurrency }, (_, n) => worker(n));
  return {
    /** Lets each worker finish the write it is sending (until answered), then resolves. */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(workers);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A customers CSV of `rows` new people whose phones and e-mails are this import's own. */
export function customersCsv(run: ImportRun): string {
  const lines = ['phone,email,first_name,last_name'];
  for (let r = 0; r < run.rows; r++) lines.push(`${run.phonePrefix}${String(r).padStart(5, '0')},${run.emailPrefix}${r}@example.com,Imported,Row ${r}`);
  return `${lines.join('\n')}\n`;
}

type ImportJob = { id: string; fileName: string; status: string; failure: string | null };

/**
 * Customer imports, one after another while the load runs, through the API as a client would:
 * an upload whose answer was lost is looked for in the list of imports (by its file name)
 * before it is sent again, and the job is followed until it completes.
 */
export function startImports(setup: Setup, acked: Acked, options: { rowsPerImport: number; maxImports: number; deadlineMs: number }) {
  let stopping = false;
  let stoppedAt = 0;
  const call = async (method: string, path: string) => (await untilAnswered(() => request(setup.url, method, path, { key: setup.ownerKey }))).reply;

  async function upload(run: ImportRun, csv: string): Promise<string> {
    for (;;) {
      run.uploads++;
      try {
        const reply = await request(setup.url, 'POST', `/v1/imports/customers?fileName=${run.fileName}`, { key: setup.ownerKey, text: csv, contentType: 'text/csv', timeoutMs: 60_000 });
        if (reply.status === 202) return (reply.body as ImportJob).id;
        if (reply.status < 500 && reply.status !== 429) throw new Error(`the upload was refused: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
      } catch (error) {
        if ((error as Error).message.startsWith('the upload was refused')) throw error;
      }
      // The answer was lost: the job may exist all the same.
      const listed = (await call('GET', '/v1/imports')).body as ImportJob[] | { items: ImportJob[] };
      const found = (Array.isArray(listed) ? listed : listed.items).find((job) => job.fileName === run.fileName);
      if (found) return found.id;
      await sleep(100);
    }
  }

  async function follow(run: ImportRun): Promise<void> {
    for (;;) {
      const job = (await call('GET', `/v1/imports/${run.jobId}?errorsLimit=0`)).body as ImportJob;
      run.status = job.status;
      run.failure = job.failure;
      if (job.status === 'completed' || job.status === 'failed') return;
      if (stopping && Date.now() - stoppedAt > options.deadlineMs) {
        run.failure = `still ${job.status} ${options.deadlineMs} ms after the kills ended`;
        return;
      }
      await sleep(250);
    }
  }

  const done = (async () => {
    for (let k = 1; k <= options.maxImports && !stopping; k++) {
      const run: ImportRun = {
        fileName: `crash-import-${k}.csv`,
        phonePrefix: `+7950${String(k).padStart(2, '0')}`,
        emailPrefix: `crash-${k}-`,
        rows: options.rowsPerImport,
        jobId: null,
        uploads: 0,
        status: 'uploading',
        failure: null,
      };
      acked.imports.push(run);
      run.jobId = await upload(run, customersCsv(run));
      await follow(run);
      if (run.status !== 'completed') return;
    }
  })();
  return {
    /** Starts no further import and waits (up to `deadlineMs`) for the one under way to finish. */
    async stop(): Promise<void> {
      stopping = true;
      stoppedAt = Date.now();
      await done;
    },
  };
}
