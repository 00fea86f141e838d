import { defineText } from '../../i18n.tsx';

/** Words the catalog's pages share: a reward's kind and status. */
export const rewardWords = defineText({
  en: {
    kind_goods: 'Own goods or service',
    kind_partner_voucher: 'Partner voucher',
    kind_privilege: 'Privilege',
    status_draft: 'Draft',
    status_active: 'On sale',
    status_paused: 'Paused',
    status_archived: 'Archived',
  },
  ru: {
    kind_goods: 'Свой товар или услуга',
    kind_partner_voucher: 'Ваучер партнёра',
    kind_privilege: 'Привилегия',
    status_draft: 'Черновик',
    status_active: 'В продаже',
    status_paused: 'Приостановлена',
    status_archived: 'В архиве',
  },
});

export const statusTone = { draft: 'neutral', active: 'good', paused: 'warn', archived: 'neutral' } as const;
