/** How a customer earns entries in a lottery's entry period; a customer's entries are the sum over the rules. */
export type SpendRule = {
  kind: 'spend';
  /** One entry per this much net spend (confirmed receipts' paid amounts minus refunds), minor units. */
  perMinor: number;
  /** Entries multiplied for a tier the customer holds at the draw: `{"gold": 2}`. */
  tierMultipliers?: Record<string, number>;
  /** At most this many entries from the rule per customer. */
  maxEntries?: number;
};

export type ActionRule = {
  kind: 'action';
  /** The `type` of an accepted customer event (POST /v1/events): `survey.answered`, `app.login`, … */
  eventType: string;
  /** Entries per such event. */
  entries: number;
  maxEntries?: number;
};

export type EntryRule = SpendRule | ActionRule;

export type Prize = { name: string; rewardId?: string; count: number };

/** As the API shows it: upcoming before the entry period, open in it, closed after it until drawn. */
export type LotteryStatus = 'upcoming' | 'open' | 'closed' | 'drawn' | 'cancelled';
