import { useState } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Field, Loading, Page } from '../../components/ui.tsx';
import { usePagedList, useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { recipeWords, useTriggerText } from './journey-words.ts';
import { journeyStatusWords, statusTone } from './messaging-words.ts';
import type { Journey, Recipe } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    title: 'Journeys',
    intro: 'Automatic messages on a trigger — a sign-up, a purchase, a birthday, points about to expire — each walking its steps, with a control group that gets nothing.',
    caption: 'Journeys',
    new: 'New journey',
    name: 'Name',
    trigger: 'Starts when',
    status: 'Status',
    created: 'Created',
    empty: 'No journeys yet',
    emptyHint: 'Build one step by step with “New journey”, or start from a ready-made recipe below: it writes the templates and the steps, as a draft to read and switch on.',
    recipes: 'Start from a recipe',
    recipesHint: 'Each recipe makes its e-mail templates and the journey as a draft; nothing is sent until you switch it on.',
    language: 'Language of the templates',
    en: 'English',
    ru: 'Russian',
    make: 'Make “{name}”',
  },
  ru: {
    title: 'Цепочки',
    intro: 'Автоматические сообщения по событию — регистрация, покупка, день рождения, сгорание баллов: каждая цепочка проходит свои шаги, а контрольная группа не получает ничего.',
    caption: 'Цепочки',
    new: 'Новая цепочка',
    name: 'Название',
    trigger: 'Запускается, когда',
    status: 'Статус',
    created: 'Создана',
    empty: 'Цепочек пока нет',
    emptyHint: 'Соберите цепочку по шагам кнопкой «Новая цепочка» или начните с готового рецепта ниже: он напишет шаблоны и шаги черновиком — прочитайте и включите.',
    recipes: 'Создать из рецепта',
    recipesHint: 'Рецепт создаёт свои шаблоны писем и цепочку-черновик; ничего не отправляется, пока вы её не включите.',
    language: 'Язык шаблонов',
    en: 'Английский',
    ru: 'Русский',
    make: 'Создать «{name}»',
  },
});

export default function JourneyList() {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const trigger = useTriggerText();
  const list = usePagedList<Journey>('/v1/journeys');
  return (
    <Page title={t('title')} intro={t('intro')} actions={can('messaging:write') ? <Link to="/messaging/journeys/new" className="button primary">{t('new')}</Link> : null}>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/messaging/journeys/${row.id}`}>{row.name}</Link> },
          { key: 'trigger', title: t('trigger'), render: (row) => trigger(row.trigger) },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{journeyStatusWords[locale][row.status] ?? row.status}</Badge> },
          { key: 'created', title: t('created'), render: (row) => format.date(row.createdAt) },
        ]}
      />
      {can('messaging:write') ? <Recipes /> : null}
    </Page>
  );
}

function Recipes() {
  const t = useText(text);
  const { locale } = useLocale();
  const [language, setLanguage] = useState<'ru' | 'en'>(locale);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const recipes = useResource((signal) => api.get<ApiPage<Recipe>>('/v1/journey-recipes', { limit: 50 }, signal), []);
  const make = async (recipe: string) => {
    setBusy(recipe);
    setError(null);
    try {
      const journey = await api.post<Journey>(`/v1/journey-recipes/${recipe}`, { language });
      navigate(`/messaging/journeys/${journey.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(null);
    }
  };
  return (
    <Card title={t('recipes')}>
      <p className="muted">{t('recipesHint')}</p>
      <Field label={t('language')}>
        {(props) => (
          <select {...props} value={language} onChange={(event) => setLanguage(event.target.value as 'ru' | 'en')}>
            <option value="ru">{t('ru')}</option>
            <option value="en">{t('en')}</option>
          </select>
        )}
      </Field>
      <ErrorNote error={error} />
      {recipes.loading ? <Loading /> : null}
      {recipes.error ? <ErrorNote error={recipes.error} onRetry={recipes.reload} /> : null}
      <ul className="recipes">
        {recipes.data?.items.map((r) => {
          const words = recipeWords[locale][r.recipe] ?? { name: r.name, description: r.description };
          return (
            <li key={r.recipe} className="recipe">
              <h3>{words.name}</h3>
              <p>{words.description}</p>
              <button type="button" className="secondary" disabled={busy !== null} onClick={() => void make(r.recipe)}>
                {t('make', { name: words.name })}
              </button>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
