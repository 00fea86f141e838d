import type { Interval } from './distributions.ts';

/**
 * The verdict in words, English and Russian, from the figures compareArms decided on. Kept apart
 * from the decision so that wording can change without touching what wins.
 */

export type VerdictMetric = 'conversion' | 'revenuePerRecipient';

/** How revenue is shown: the figures are minor units (kopecks, cents), the words show major ones. */
export type MoneyFormat = { minorPerMajor: number; currency: string | null };

export type VerdictFacts =
  | { kind: 'srm'; pValue: number | null; threshold: number }
  | { kind: 'not-enough-data'; metric: VerdictMetric }
  | { kind: 'no-difference'; metric: VerdictMetric; pValue: number; alpha: number }
  | {
      kind: 'difference';
      metric: VerdictMetric;
      variantLabel: string;
      winnerLabel: string;
      control: number;
      variant: number;
      estimate: number;
      ci: Interval;
      pValue: number;
      alpha: number;
      money: MoneyFormat;
    };

export type Language = 'en' | 'ru';

type Words = {
  decimal: string;
  metric: Record<VerdictMetric, { object: string; inPhrase: string }>;
  raised: string;
  lowered: string;
  from: string;
  to: string;
  points: string;
  ci: (confidence: string, lower: string, upper: string) => string;
  wins: (label: string) => string;
  noDifference: (inMetric: string, p: string) => string;
  notEnough: (metric: string) => string;
  srm: (p: string) => string;
  variant: (label: string) => string;
};

const words: Record<Language, Words> = {
  en: {
    decimal: '.',
    metric: {
      conversion: { object: 'conversion', inPhrase: 'in conversion' },
      revenuePerRecipient: { object: 'revenue per recipient', inPhrase: 'in revenue per recipient' },
    },
    raised: 'raised',
    lowered: 'lowered',
    from: 'from',
    to: 'to',
    points: 'points',
    ci: (confidence, lower, upper) => `${confidence} % CI ${lower} to ${upper}`,
    wins: (label) => `${label} wins.`,
    noDifference: (inMetric, p) => `No significant difference ${inMetric} (${p}); keep testing or stop: neither wins.`,
    notEnough: (metric) => `Not enough data to compare ${metric} yet: neither wins.`,
    srm: (p) => `Sample ratio mismatch (${p}): the split is broken; do not trust this result.`,
    variant: (label) => `Variant ${label}`,
  },
  ru: {
    decimal: ',',
    metric: {
      conversion: { object: 'конверсию', inPhrase: 'в конверсии' },
      revenuePerRecipient: { object: 'выручку на получателя', inPhrase: 'в выручке на получателя' },
    },
    raised: 'повысил',
    lowered: 'снизил',
    from: 'с',
    to: 'до',
    points: 'п. п.',
    ci: (confidence, lower, upper) => `${confidence} % ДИ от ${lower} до ${upper}`,
    wins: (label) => `${label} побеждает.`,
    noDifference: (inMetric, p) => `Значимой разницы ${inMetric} нет (${p}); продолжайте тест или остановите его: победителя нет.`,
    notEnough: (metric) => `Пока недостаточно данных, чтобы сравнить ${metric}: победителя нет.`,
    srm: (p) => `Нарушено соотношение групп (${p}): разбиение сломано; не доверяйте этому результату.`,
    variant: (label) => `Вариант ${label}`,
  },
};

const MINUS = '\u2212';

function fixed(value: number, digits: number, w: Words): string {
  // toFixed keeps "-0.0" for a tiny negative; the sign is written separately anyway.
  return Math.abs(value).toFixed(digits).replace('.', w.decimal);
}

function signed(value: number, digits: number, w: Words): string {
  const text = fixed(value, digits, w);
  return (value < 0 && Number(Math.abs(value).toFixed(digits)) !== 0 ? MINUS : '+') + text;
}

/**
 * p as a reader wants it: "p < 0.001", else 2 decimals from 0.1 up and 3 below; more decimals
 * only where rounding would put p on the wrong side of α (0.0496 shown as 0.050 next to α = 0.05).
 */
export function formatP(p: number, alpha: number, language: Language): string {
  const w = words[language];
  if (p < 0.001) return `p < ${fixed(0.001, 3, w)}`;
  let digits = p >= 0.1 ? 2 : 3;
  while (digits < 8 && Number(p.toFixed(digits)) < alpha !== p < alpha) digits++;
  return `p = ${fixed(p, digits, w)}`;
}

const confidenceText = (alpha: number, w: Words): string => {
  const percent = (1 - alpha) * 100;
  return Number.isInteger(Math.round(percent * 1e9) / 1e9) ? String(Math.round(percent)) : fixed(percent, 1, w);
};

/** Rates as percentages: one decimal, two when the rates are below 1 %. */
function rateParts(f: Extract<VerdictFacts, { kind: 'difference' }>, w: Words) {
  const digits = Math.max(f.control, f.variant) < 0.01 ? 2 : 1;
  const percent = (x: number) => `${fixed(x * 100, digits, w)} %`;
  const points = (x: number) => signed(x * 100, digits, w);
  return { from: percent(f.control), to: percent(f.variant), estimate: `${points(f.estimate)} ${w.points}`, lower: points(f.ci.lower), upper: points(f.ci.upper) };
}

function moneyParts(f: Extract<VerdictFacts, { kind: 'difference' }>, w: Words) {
  const { minorPerMajor, currency } = f.money;
  const digits = Math.max(0, Math.round(Math.log10(minorPerMajor)));
  const suffix = currency ? ` ${currency}` : '';
  const amount = (x: number) => `${fixed(x / minorPerMajor, digits, w)}${suffix}`;
  const change = (x: number) => signed(x / minorPerMajor, digits, w);
  return { from: amount(f.control), to: amount(f.variant), estimate: `${change(f.estimate)}${suffix}`, lower: change(f.ci.lower), upper: change(f.ci.upper) };
}

export function verdictSentence(facts: VerdictFacts, language: Language): string {
  const w = words[language];
  switch (facts.kind) {
    case 'srm':
      return w.srm(facts.pValue === null ? `p < ${fixed(facts.threshold, 3, w)}` : formatP(facts.pValue, facts.threshold, language));
    case 'not-enough-data':
      return w.notEnough(w.metric[facts.metric].object);
    case 'no-difference':
      return w.noDifference(w.metric[facts.metric].inPhrase, formatP(facts.pValue, facts.alpha, language));
    case 'difference': {
      const parts = facts.metric === 'conversion' ? rateParts(facts, w) : moneyParts(facts, w);
      const verb = facts.estimate > 0 ? w.raised : w.lowered;
      const ci = w.ci(confidenceText(facts.alpha, w), parts.lower, parts.upper);
      const p = formatP(facts.pValue, facts.alpha, language);
      return `${w.variant(facts.variantLabel)} ${verb} ${w.metric[facts.metric].object} ${w.from} ${parts.from} ${w.to} ${parts.to} (${parts.estimate}, ${ci}; ${p}): ${w.wins(facts.winnerLabel)}`;
    }
  }
}
