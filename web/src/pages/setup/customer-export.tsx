import { useEffect, useRef, useState } from 'react';
import { api, type Page as ListPage } from '../../api.ts';
import { saveFile } from '../../components/download.ts';
import { Card, ErrorNote, Notice, Page, Progress } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { downloadCsv, type DownloadProgress } from './csv-download.ts';
import type { AttributeDefinition } from './setup-types.ts';
import './setup.css';

const text = defineText({
  en: {
    title: 'Export customers',
    intro: 'Every active customer as one CSV file in the import’s layout: open it in a spreadsheet, or edit it and import it back (Data → Imports). Erased and merged customers are left out.',
    columnsTitle: 'What the file holds',
    columnsIntro: 'One row per customer, and these columns:',
    colContacts: 'id, phone, email, card_number — the customer and their contacts',
    colExternal: 'external_id.<source> — an id from each of your other systems, a column per source',
    colProfile: 'first_name, last_name, birth_date, gender, city, timezone, locale, tags (separated by ;)',
    colAttributes: 'attr.<key> — a column per custom attribute: {keys}',
    colNoAttributes: 'attr.<key> — a column per custom attribute (none declared yet)',
    colConsents: 'consent.<channel>.<purpose> — yes or no for each consent ever recorded',
    formulas: 'A cell that a spreadsheet would run as a formula (starting with =, +, -, @) gets a quote in front, and the import takes it off again.',
    maskedYou: 'Your role sees contacts masked: phones, e-mails and cards in the file are masked (+7912*****89). An owner or a marketer gets them in full.',
    maskedOthers: 'Analysts get phones, e-mails and cards masked; owners and marketers get them in full, so keep the file safe.',
    startTitle: 'Download',
    start: 'Download the CSV',
    again: 'Download again',
    cancel: 'Stop',
    running: 'Downloading: {rows}, {size}',
    started: 'The download has started; the server sends the file as it reads the customers.',
    done: 'Done: {rows} in {size}. The file {name} is in your downloads.',
    saveAgain: 'Save the file again',
    stopped: 'The download was stopped; nothing was saved.',
    rows: { one: '{count} customer', other: '{count} customers' },
  },
  ru: {
    title: 'Выгрузка клиентов',
    intro: 'Все активные клиенты одним файлом CSV в формате импорта: откройте его в таблице или исправьте и загрузите обратно (Данные → Импорт). Удалённые и объединённые клиенты не выгружаются.',
    columnsTitle: 'Что в файле',
    columnsIntro: 'По строке на клиента и такие колонки:',
    colContacts: 'id, phone, email, card_number — клиент и его контакты',
    colExternal: 'external_id.<источник> — код клиента в каждой вашей системе, по колонке на источник',
    colProfile: 'first_name, last_name, birth_date, gender, city, timezone, locale, tags (через ;)',
    colAttributes: 'attr.<ключ> — по колонке на атрибут клиента: {keys}',
    colNoAttributes: 'attr.<ключ> — по колонке на атрибут клиента (пока не объявлено ни одного)',
    colConsents: 'consent.<канал>.<цель> — yes или no для каждого когда-либо записанного согласия',
    formulas: 'Перед ячейкой, которую таблица выполнила бы как формулу (начало с =, +, -, @), ставится кавычка; импорт её снимает.',
    maskedYou: 'Вашей роли контакты видны скрытыми: телефоны, почта и карты в файле замаскированы (+7912*****89). Владелец и маркетолог получают их полностью.',
    maskedOthers: 'Аналитики получают телефоны, почту и карты замаскированными; владельцы и маркетологи — полностью, поэтому храните файл бережно.',
    startTitle: 'Скачать',
    start: 'Скачать CSV',
    again: 'Скачать заново',
    cancel: 'Остановить',
    running: 'Скачивается: {rows}, {size}',
    started: 'Скачивание началось: сервер отдаёт файл по мере чтения клиентов.',
    done: 'Готово: {rows}, {size}. Файл {name} — в загрузках.',
    saveAgain: 'Сохранить файл ещё раз',
    stopped: 'Скачивание остановлено, файл не сохранён.',
    rows: { one: '{count} клиент', few: '{count} клиента', many: '{count} клиентов', other: '{count} клиента' },
  },
});

type State = { kind: 'idle' } | { kind: 'running'; progress: DownloadProgress } | { kind: 'done'; progress: DownloadProgress; url: string; name: string } | { kind: 'stopped' } | { kind: 'failed'; error: unknown };

export default function CustomerExport() {
  const t = useText(text);
  const format = useFormat();
  const { user } = useSession();
  // Analysts see contacts masked, in the export as everywhere (src/platform/roles.ts, customerViews).
  const masked = user.role === 'analyst';
  const attributes = useResource((signal) => api.get<ListPage<AttributeDefinition>>('/v1/customer-attributes', { limit: 50 }, signal), []);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const controller = useRef<AbortController | null>(null);
  const fileUrl = useRef<string | null>(null);

  // The file made in the page is let go when the page closes.
  useEffect(
    () => () => {
      controller.current?.abort();
      if (fileUrl.current) URL.revokeObjectURL(fileUrl.current);
    },
    [],
  );

  const size = (bytes: number) =>
    bytes < 1024 * 1024
      ? format.number(bytes / 1024, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 })
      : format.number(bytes / 1024 / 1024, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });

  const start = async () => {
    controller.current?.abort();
    const own = new AbortController();
    controller.current = own;
    if (fileUrl.current) URL.revokeObjectURL(fileUrl.current);
    fileUrl.current = null;
    setState({ kind: 'running', progress: { bytes: 0, rows: 0 } });
    try {
      const file = await downloadCsv('/v1/exports/customers', (progress) => setState({ kind: 'running', progress }), own.signal);
      const url = URL.createObjectURL(file.blob);
      fileUrl.current = url;
      const name = `customers-${new Date().toISOString().slice(0, 10)}.csv`;
      saveFile(url, name);
      setState({ kind: 'done', progress: file, url, name });
    } catch (caught) {
      if (own.signal.aborted) setState({ kind: 'stopped' });
      else setState({ kind: 'failed', error: caught });
    }
  };

  const keys = attributes.data?.items.map((a) => a.key) ?? [];
  const more = attributes.data?.nextCursor ? ', …' : '';

  return (
    <Page title={t('title')} intro={t('intro')}>
      <Notice tone={masked ? 'warning' : 'info'}>{t(masked ? 'maskedYou' : 'maskedOthers')}</Notice>
      <Card title={t('startTitle')}>
        {state.kind === 'running' ? (
          <>
            <p role="status">{t('started')}</p>
            <Progress value={null} label={t('running', { rows: t('rows', { count: state.progress.rows }), size: size(state.progress.bytes) })} />
            <button type="button" className="secondary" onClick={() => controller.current?.abort()}>
              {t('cancel')}
            </button>
          </>
        ) : (
          <div className="setup-done">
            <button type="button" className="primary" onClick={() => void start()}>
              {t(state.kind === 'done' ? 'again' : 'start')}
            </button>
            {state.kind === 'done' ? (
              <a href={state.url} download={state.name}>
                {t('saveAgain')}
              </a>
            ) : null}
          </div>
        )}
        {state.kind === 'done' ? <Notice tone="success">{t('done', { rows: t('rows', { count: state.progress.rows }), size: size(state.progress.bytes), name: state.name })}</Notice> : null}
        {state.kind === 'stopped' ? <Notice>{t('stopped')}</Notice> : null}
        {state.kind === 'failed' ? <ErrorNote error={state.error} onRetry={() => void start()} /> : null}
      </Card>
      <Card title={t('columnsTitle')}>
        <p>{t('columnsIntro')}</p>
        <ul className="setup-columns">
          <li>{t('colContacts')}</li>
          <li>{t('colExternal')}</li>
          <li>{t('colProfile')}</li>
          <li>{keys.length ? t('colAttributes', { keys: keys.join(', ') + more }) : t('colNoAttributes')}</li>
          <li>{t('colConsents')}</li>
        </ul>
        <p className="muted">{t('formulas')}</p>
      </Card>
    </Page>
  );
}
