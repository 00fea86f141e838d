/**
 * How big the data is and how long each loop runs. `small` checks the harness end to end in a
 * few minutes; `full` is the size the goals are set for (a large retailer on one server).
 */
export type ScaleName = 'small' | 'full';

export type Scale = {
  name: ScaleName;
  /** The loyalty database the checkout, lookup and RSS scenarios run on. */
  customers: number;
  receipts: number;
  /** Rows of the generated customer CSV. */
  csvRows: number;
  /** Historical receipts uploaded as NDJSON, for this many customers already in the database. */
  bulkReceipts: number;
  bulkCustomers: number;
  /** The embedded (PGlite) data set, written in the benchmark's own process. */
  pgliteCustomers: number;
  pgliteReceipts: number;
  /** Seconds of the fixed-rate runs (calculate at 500/s, lookup at 1,000/s). */
  fixedRateSeconds: number;
  /** Seconds of each step when the rate is stepped up. */
  stepSeconds: number;
  /** Seconds of each closed-loop confirm level. */
  confirmSeconds: number;
  confirmLevels: number[];
  pgliteLevels: number[];
  pgbenchSeconds: number;
  pgbenchClients: number[];
  /** pgbench -i -s: 100,000 accounts a unit. */
  pgbenchScale: number;
};

export const scales: Record<ScaleName, Scale> = {
  small: {
    name: 'small',
    customers: 20_000,
    receipts: 200_000,
    csvRows: 20_000,
    bulkReceipts: 20_000,
    bulkCustomers: 20_000,
    pgliteCustomers: 5_000,
    pgliteReceipts: 50_000,
    fixedRateSeconds: 10,
    stepSeconds: 5,
    confirmSeconds: 5,
    confirmLevels: [1, 4, 16, 32],
    pgliteLevels: [1, 4],
    pgbenchSeconds: 10,
    pgbenchClients: [4, 16],
    pgbenchScale: 10,
  },
  full: {
    name: 'full',
    customers: 1_000_000,
    receipts: 10_000_000,
    csvRows: 1_000_000,
    bulkReceipts: 200_000,
    bulkCustomers: 1_000_000,
    pgliteCustomers: 20_000,
    pgliteReceipts: 200_000,
    fixedRateSeconds: 30,
    stepSeconds: 10,
    confirmSeconds: 10,
    confirmLevels: [1, 2, 4, 8, 16, 32, 64],
    pgliteLevels: [1, 4, 16],
    pgbenchSeconds: 30,
    pgbenchClients: [4, 16],
    pgbenchScale: 10,
  },
};

/** Offered rates when looking for the highest one that keeps p99 under a bound. */
export const rateSteps = [100, 200, 300, 500, 700, 1_000, 1_500, 2_000, 3_000, 4_000, 5_000, 7_000, 10_000];
