/** What the segments API answers (docs/segments.md, docs/rfm.md, docs/clusters.md). */
export type Recompute = {
  id: string;
  segmentId: string;
  status: 'running' | 'completed' | 'failed';
  customers: number;
  processed: number;
  entered: number;
  left: number;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
};

export type Segment = {
  id: string;
  name: string;
  description?: string;
  rules: Record<string, unknown>;
  memberCount: number;
  computedAt: string | null;
  lastRecompute: Recompute | null;
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type SegmentField = {
  key: string;
  kind: 'number' | 'text' | 'boolean' | 'date' | 'list' | 'json';
  description: string;
  operators: string[];
  params: Record<string, { required: boolean; description: string; values?: string[] }>;
  values?: string[];
};

export type Member = { customerId: string; enteredAt: string; firstName: string | null; lastName: string | null; phone: string | null; email: string | null };
export type Preview = { count: number; sample: Member[] };
export type Change = { id: string; customerId: string; change: 'entered' | 'left'; cause: 'recompute' | 'event'; at: string };

export const memberName = (member: Pick<Member, 'firstName' | 'lastName'>, fallback: string) => [member.firstName, member.lastName].filter(Boolean).join(' ') || fallback;
