import { html, type Html } from '../../platform/pages/html.ts';
import type { PageLocale } from '../../platform/pages/i18n.ts';
import type { MessageKind } from './messaging.tables.ts';

/**
 * The pages behind a message's links, in the customer's language: the unsubscribe page (one
 * button for the message's channel, one for all marketing, a way to the account page's
 * preferences), its answer, and the page a link that is not ours gets.
 */
const words = {
  ru: {
    title: 'Отписка',
    ask: { email: 'рекламные письма', sms: 'рекламные SMS', push: 'рекламные push-уведомления', telegram: 'рекламные сообщения в Telegram' },
    question: 'Больше не присылать вам',
    thisChannel: 'Отписаться',
    all: 'Отписаться от всех рекламных сообщений',
    manage: 'Выбрать, какие сообщения получать, можно в личном кабинете',
    account: 'Личный кабинет',
    doneChannel: 'Вы отписаны: больше не пришлём',
    doneAll: 'Вы отписаны от всех рекламных сообщений.',
    service: 'Служебные сообщения (коды, чеки) будут приходить по-прежнему.',
    invalidTitle: 'Ссылка недействительна',
    invalid: 'Эта ссылка недействительна или устарела.',
  },
  en: {
    title: 'Unsubscribe',
    ask: { email: 'marketing e-mails', sms: 'marketing SMS', push: 'marketing push notifications', telegram: 'marketing messages on Telegram' },
    question: 'Stop sending you',
    thisChannel: 'Unsubscribe',
    all: 'Unsubscribe from all marketing messages',
    manage: 'You can choose which messages to get on your account page',
    account: 'My account',
    doneChannel: 'You are unsubscribed: no more',
    doneAll: 'You are unsubscribed from all marketing messages.',
    service: 'Service messages (codes, receipts) will still come.',
    invalidTitle: 'Link not valid',
    invalid: 'This link is not valid or has expired.',
  },
} as const;

export const unsubscribeTitle = (locale: PageLocale) => words[locale].title;
export const invalidLinkTitle = (locale: PageLocale) => words[locale].invalidTitle;

export function unsubscribeBody(locale: PageLocale, programName: string, kind: MessageKind, action: string): Html {
  const w = words[locale];
  return html`<h1>${programName}</h1>
<p>${w.question} ${w.ask[kind]}?</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button class="wide" type="submit">${w.thisChannel}</button></form>
<form method="post" action="${action}"><input type="hidden" name="scope" value="all"><button class="secondary wide" type="submit">${w.all}</button></form>
<p class="muted">${w.manage}: <a href="/me?lang=${locale}">${w.account}</a></p>`;
}

export function unsubscribedBody(locale: PageLocale, kind: MessageKind, scope: 'channel' | 'all'): Html {
  const w = words[locale];
  return html`<h1>${w.title}</h1><p class="ok" role="status">${scope === 'all' ? w.doneAll : `${w.doneChannel} ${w.ask[kind]}.`}</p><p class="muted">${w.service}</p><p><a href="/me?lang=${locale}">${w.account}</a></p>`;
}

export function invalidLinkBody(locale: PageLocale): Html {
  const w = words[locale];
  return html`<h1>${w.invalidTitle}</h1><p>${w.invalid}</p>`;
}
