import { html, type Html } from '../../platform/pages/html.ts';
import { localized, type PageLocale } from '../../platform/pages/i18n.ts';
import type { MessageKind } from './messaging.tables.ts';
import type { CustomerTopicState, TopicView } from './topics.ts';

/**
 * The pages behind a message's links, in the customer's language: the preference centre behind
 * the unsubscribe link (leave the message's topic in one click, tick the topics to get, leave
 * the message's channel, leave all marketing, a way to the account page), its answers, and the
 * page a link that is not ours gets.
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
    leaveTopic: 'Отписаться от темы',
    topicsTitle: 'Темы рассылок',
    topicsHint: 'Отметьте темы, о которых хотите получать сообщения',
    save: 'Сохранить',
    doneTopic: 'Вы отписаны от темы',
    doneTopics: 'Ваш выбор тем сохранён.',
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
    leaveTopic: 'Unsubscribe from the topic',
    topicsTitle: 'Topics',
    topicsHint: 'Tick the topics you want to hear about',
    save: 'Save',
    doneTopic: 'You are unsubscribed from the topic',
    doneTopics: 'Your choice of topics is saved.',
    invalidTitle: 'Link not valid',
    invalid: 'This link is not valid or has expired.',
  },
} as const;

export const unsubscribeTitle = (locale: PageLocale) => words[locale].title;
export const invalidLinkTitle = (locale: PageLocale) => words[locale].invalidTitle;

/** What the preference centre shows: the message's topic (when it had one), every topic with the customer's state, the channel, all. */
export type PreferencePage = { programName: string; kind: MessageKind; topic: TopicView | null; topics: TopicView[]; state: CustomerTopicState[]; action: string };

/** The checkbox of a topic: its name is `topic:<key>`; `shown` lists the boxes the page had, so an unticked one counts as left. */
export const topicField = (key: string) => `topic:${key}`;

export function unsubscribeBody(locale: PageLocale, page: PreferencePage): Html {
  const w = words[locale];
  const { action } = page;
  const subscribed = new Map(page.state.map((entry) => [entry.topic, entry.subscribed]));
  const leaveTopic = page.topic
    ? html`<form method="post" action="${action}"><input type="hidden" name="scope" value="topic"><button class="wide" type="submit">${w.leaveTopic} «${localized(page.topic.name, locale)}»</button></form>`
    : '';
  const topics = page.topics.length > 0 && page.state.length > 0
    ? html`<form method="post" action="${action}"><fieldset><legend>${w.topicsTitle}</legend><p class="muted">${w.topicsHint}</p>
<input type="hidden" name="scope" value="topics"><input type="hidden" name="shown" value="${page.topics.map((topic) => topic.key).join(' ')}">
${page.topics.map((topic) => html`<label class="check" for="topic-${topic.key}"><input type="checkbox" id="topic-${topic.key}" name="${topicField(topic.key)}" value="yes"${subscribed.get(topic.key) ? html` checked` : ''}><span>${localized(topic.name, locale)}${localized(topic.description, locale) ? html`<br><small class="muted">${localized(topic.description, locale)}</small>` : ''}</span></label>`)}
<button class="secondary wide" type="submit">${w.save}</button></fieldset></form>`
    : '';
  return html`<h1>${page.programName}</h1>
${leaveTopic}
${topics}
<p>${w.question} ${w.ask[page.kind]}?</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button class="${page.topic ? 'secondary wide' : 'wide'}" type="submit">${w.thisChannel}</button></form>
<form method="post" action="${action}"><input type="hidden" name="scope" value="all"><button class="secondary wide" type="submit">${w.all}</button></form>
<p class="muted">${w.manage}: <a href="/me?lang=${locale}">${w.account}</a></p>`;
}

export type UnsubscribeDone = { scope: 'channel' | 'all' } | { scope: 'topic'; topic: TopicView } | { scope: 'topics' };

export function unsubscribedBody(locale: PageLocale, kind: MessageKind, done: UnsubscribeDone): Html {
  const w = words[locale];
  const said =
    done.scope === 'all' ? w.doneAll
    : done.scope === 'topic' ? `${w.doneTopic} «${localized(done.topic.name, locale)}».`
    : done.scope === 'topics' ? w.doneTopics
    : `${w.doneChannel} ${w.ask[kind]}.`;
  return html`<h1>${w.title}</h1><p class="ok" role="status">${said}</p><p class="muted">${w.service}</p><p><a href="/me?lang=${locale}">${w.account}</a></p>`;
}

export function invalidLinkBody(locale: PageLocale): Html {
  const w = words[locale];
  return html`<h1>${w.invalidTitle}</h1><p>${w.invalid}</p>`;
}
