import { defineText } from '../../i18n.tsx';

/** Words the survey pages share: kinds, statuses and question types. */
export const surveyWords = defineText({
  en: {
    kind_nps: 'NPS',
    kind_csat: 'CSAT',
    kind_privilege_ranking: 'Privilege ranking',
    kind_custom: 'Custom',
    status_draft: 'draft',
    status_open: 'open',
    status_closed: 'closed',
    type_nps: 'NPS (0–10)',
    type_rating: 'Rating (CSAT)',
    type_single_choice: 'One choice',
    type_multiple_choice: 'Several choices',
    type_ranking: 'Ranking',
    type_text: 'Free text',
  },
  ru: {
    kind_nps: 'NPS',
    kind_csat: 'CSAT',
    kind_privilege_ranking: 'Ранжирование привилегий',
    kind_custom: 'Свой',
    status_draft: 'черновик',
    status_open: 'открыт',
    status_closed: 'закрыт',
    type_nps: 'NPS (0–10)',
    type_rating: 'Оценка (CSAT)',
    type_single_choice: 'Один вариант',
    type_multiple_choice: 'Несколько вариантов',
    type_ranking: 'Ранжирование',
    type_text: 'Свободный текст',
  },
});

export const statusTone = (status: string) => (status === 'open' ? 'good' : status === 'closed' ? 'neutral' : 'warn');
