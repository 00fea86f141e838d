import type { Locale } from '../../i18n.tsx';

/** Words the messaging pages share: kinds of message and statuses. */
export const kindWords: Record<Locale, Record<string, string>> = {
  en: { email: 'E-mail', sms: 'SMS', push: 'Web push', telegram: 'Telegram' },
  ru: { email: 'Эл. почта', sms: 'SMS', push: 'Веб-пуш', telegram: 'Telegram' },
};

export const campaignStatusWords: Record<Locale, Record<string, string>> = {
  en: { draft: 'Draft', scheduled: 'Scheduled', running: 'Sending', paused: 'Paused', completed: 'Completed', cancelled: 'Cancelled' },
  ru: { draft: 'Черновик', scheduled: 'Запланирована', running: 'Идёт отправка', paused: 'На паузе', completed: 'Завершена', cancelled: 'Отменена' },
};

export const journeyStatusWords: Record<Locale, Record<string, string>> = {
  en: { draft: 'Draft', active: 'On', paused: 'Paused', archived: 'Archived' },
  ru: { draft: 'Черновик', active: 'Включена', paused: 'На паузе', archived: 'В архиве' },
};

export const statusTone = (status: string): 'neutral' | 'good' | 'bad' | 'warn' | 'info' =>
  status === 'running' || status === 'active' || status === 'completed' ? 'good' : status === 'paused' || status === 'scheduled' ? 'warn' : status === 'cancelled' || status === 'archived' ? 'bad' : 'neutral';
