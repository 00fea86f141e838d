import { useEffect, useState } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { Field } from '../../components/ui.tsx';
import { defineText, useLocale, useText } from '../../i18n.tsx';
import type { Topic } from './messaging-types.ts';
import { inLocale } from './topic-words.ts';

const text = defineText({
  en: {
    topic: 'Topic',
    noTopic: 'No topic',
    hint: 'Customers who left this topic in the preference centre are skipped by its marketing messages. Topics are defined on the “Topics” page.',
    failed: 'The topics could not be read: {detail}',
    gone: '{key} (no longer defined)',
  },
  ru: {
    topic: 'Тема рассылки',
    noTopic: 'Без темы',
    hint: 'Клиенты, отказавшиеся от этой темы на странице настроек рассылок, не получат маркетинговых сообщений шаблона. Темы задаются на странице «Темы рассылок».',
    failed: 'Не удалось прочитать темы: {detail}',
    gone: '{key} (такой темы больше нет)',
  },
});

/** The longest list a select shows: topics are a handful; the API pages them up to 500. */
const ALL_TOPICS = 500;

/** A template's topic: none, or one of the defined topics (GET /v1/messaging/topics), named in the page's language. */
export function TopicSelect({ value, onChange, error }: { value: string | null; onChange: (topic: string | null) => void; error: string | null }) {
  const t = useText(text);
  const { locale } = useLocale();
  const [topics, setTopics] = useState<Topic[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.get<ApiPage<Topic>>('/v1/messaging/topics', { limit: ALL_TOPICS }, controller.signal).then(
      (page) => setTopics(page.items),
      (caught: unknown) => !controller.signal.aborted && setLoadError(t('failed', { detail: caught instanceof Error ? caught.message : String(caught) })),
    );
    return () => controller.abort();
  }, [t]);
  const known = value === null || topics.some((topic) => topic.key === value);
  return (
    <Field label={t('topic')} hint={t('hint')} error={error ?? loadError}>
      {(props) => (
        <select {...props} value={value ?? ''} onChange={(event) => onChange(event.target.value || null)}>
          <option value="">{t('noTopic')}</option>
          {topics.map((topic) => (
            <option key={topic.key} value={topic.key}>
              {inLocale(topic.name, locale, topic.key)}
            </option>
          ))}
          {!known && value ? <option value={value}>{t('gone', { key: value })}</option> : null}
        </select>
      )}
    </Field>
  );
}
