import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api.ts';
import { CustomerPick, type PickedCustomer } from '../../components/messaging-customer-pick.tsx';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { kindWords } from './messaging-words.ts';
import { TopicSelect } from './topic-select.tsx';
import { messageKinds, partsOf, type Message, type MessageKind, type DraftPreview, type Template } from './messaging-types.ts';
import './messaging.css';

const text = defineText({
  en: {
    newTitle: 'New template',
    intro: 'Write the message in Liquid: {{ customer.firstName }}, {{ balance.available | points }} and the other variables of the message-templates guide. A mistake is shown at its part, with the line and column.',
    back: 'All templates',
    name: 'Name',
    kind: 'Channel',
    kindHint: 'The channel decides the parts: an e-mail has a subject, a text and an optional HTML part',
    purpose: 'Purpose',
    marketing: 'Marketing: needs consent, counts toward the caps, waits out quiet hours',
    service: 'Service: a code, a receipt, a change of terms',
    subject: 'Subject',
    text: 'Text',
    html: 'HTML (optional)',
    title: 'Title',
    body: 'Body',
    url: 'Link a tap opens (optional)',
    save: 'Save',
    saveNew: 'Create the template',
    saved: 'Saved as version {version}.',
    readOnly: 'Your role may read templates but not change them.',
    preview: 'Preview on a customer',
    previewHint: 'What you type, rendered with the chosen customer’s name, balance and offers as you write; nothing is saved or sent.',
    previewFailed: 'This text cannot be rendered yet:',
    previewPick: 'Pick a customer to see the message as they would get it.',
    previewSubject: 'Subject',
    previewText: 'Text',
    previewTitle: 'Preview for the chosen customer',
    rendering: 'Rendering…',
    test: 'Test send',
    testHint: 'Sends the saved version once, rendered for the chosen customer: to the address below, or to the customer when it is empty.',
    to: 'Send to (your own address or phone)',
    send: 'Send a test',
    sent: 'The test is queued for {to}; the channel sends it within seconds.',
    sentCustomer: 'the customer',
    pickFirst: 'Pick a customer first: their data fills the template.',
  },
  ru: {
    newTitle: 'Новый шаблон',
    intro: 'Пишите сообщение на Liquid: {{ customer.firstName }}, {{ balance.available | points }} и другие переменные из руководства по шаблонам. Ошибка показывается у своей части, со строкой и позицией.',
    back: 'Все шаблоны',
    name: 'Название',
    kind: 'Канал',
    kindHint: 'От канала зависят части: у письма есть тема, текст и необязательная HTML-версия',
    purpose: 'Назначение',
    marketing: 'Маркетинг: нужно согласие, учитывается в лимитах, ждёт окончания «тихих часов»',
    service: 'Сервисное: код, чек, изменение условий',
    subject: 'Тема',
    text: 'Текст',
    html: 'HTML (необязательно)',
    title: 'Заголовок',
    body: 'Текст пуша',
    url: 'Ссылка по нажатию (необязательно)',
    save: 'Сохранить',
    saveNew: 'Создать шаблон',
    saved: 'Сохранено как версия {version}.',
    readOnly: 'Ваша роль может читать шаблоны, но не менять их.',
    preview: 'Просмотр для клиента',
    previewHint: 'То, что вы пишете, с именем, балансом и предложениями выбранного клиента — прямо во время ввода; ничего не сохраняется и не отправляется.',
    previewFailed: 'Этот текст пока не получается показать:',
    previewPick: 'Выберите клиента, чтобы увидеть сообщение таким, каким он его получит.',
    previewSubject: 'Тема',
    previewText: 'Текст',
    previewTitle: 'Просмотр для выбранного клиента',
    rendering: 'Готовим просмотр…',
    test: 'Тестовая отправка',
    testHint: 'Отправляет сохранённую версию один раз с данными выбранного клиента: на адрес ниже, а если он пуст — самому клиенту.',
    to: 'Куда отправить (ваш адрес или телефон)',
    send: 'Отправить тест',
    sent: 'Тест поставлен в очередь на {to}; канал отправит его через несколько секунд.',
    sentCustomer: 'адрес клиента',
    pickFirst: 'Сначала выберите клиента: шаблон заполняется его данными.',
  },
});

type Draft = { name: string; kind: MessageKind; purpose: 'marketing' | 'service'; topic: string | null; parts: Record<string, string> };
const blank: Draft = { name: '', kind: 'email', purpose: 'marketing', topic: null, parts: {} };

export default function TemplateEditor({ params }: PageProps) {
  const id = params.id && params.id !== 'new' ? params.id : null;
  const loaded = useResource<Template | null>((signal) => (id ? api.get<Template>(`/v1/templates/${id}`, undefined, signal) : Promise.resolve(null)), [id]);
  if (loaded.loading) return <Loading />;
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  return <Editor key={id ?? 'new'} template={loaded.data} />;
}

function Editor({ template: initial }: { template: Template | null }) {
  const t = useText(text);
  const { locale } = useLocale();
  const can = useCan();
  const writable = can('messaging:write');
  const [template, setTemplate] = useState(initial);
  const [draft, setDraft] = useState<Draft>(initial ? { name: initial.name, kind: initial.kind, purpose: initial.purpose, topic: initial.topic, parts: initial.parts } : blank);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);
  const [customer, setCustomer] = useState<PickedCustomer | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    const parts = partsToSend(draft);
    try {
      const body = { name: draft.name, kind: draft.kind, purpose: draft.purpose, topic: draft.topic, parts };
      const next = template ? await api.patch<Template>(`/v1/templates/${template.id}`, { ...body, parts: { ...Object.fromEntries(Object.keys(template.parts).map((k) => [k, null])), ...parts } }) : await api.post<Template>('/v1/templates', body);
      setTemplate(next);
      setSaved(next.version);
      if (!template) window.history.replaceState(null, '', `/console/messaging/templates/${next.id}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const partError = (name: string) => fieldError(error, name, `parts.${name}`, `parts/${name}`);
  const unplaced = error && !['name', 'kind', 'purpose', 'topic', ...partsOf[draft.kind].map((p) => p.name)].some((name) => partError(name) || fieldError(error, name));

  return (
    <Page title={template?.name || t('newTitle')} intro={t('intro')} actions={<Link to="/messaging/templates">{t('back')}</Link>}>
      <div className="messaging-split">
        <Card>
          {!writable ? <Notice>{t('readOnly')}</Notice> : null}
          <form className="form" noValidate onSubmit={(event) => void save(event)}>
            <fieldset disabled={!writable || busy} className="plain">
              <Field label={t('name')} error={fieldError(error, 'name')}>
                {(props) => <input {...props} value={draft.name} onChange={(event) => setDraft({ ...draft, name: event.target.value })} />}
              </Field>
              <div className="form-row">
                <Field label={t('kind')} hint={t('kindHint')} error={fieldError(error, 'kind')}>
                  {(props) => (
                    <select {...props} value={draft.kind} disabled={template !== null} onChange={(event) => setDraft({ ...draft, kind: event.target.value as MessageKind })}>
                      {messageKinds.map((kind) => (
                        <option key={kind} value={kind}>
                          {kindWords[locale][kind]}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={t('purpose')} error={fieldError(error, 'purpose')}>
                  {(props) => (
                    <select {...props} value={draft.purpose} onChange={(event) => setDraft({ ...draft, purpose: event.target.value as Draft['purpose'] })}>
                      <option value="marketing">{t('marketing')}</option>
                      <option value="service">{t('service')}</option>
                    </select>
                  )}
                </Field>
              </div>
              <TopicSelect value={draft.topic} onChange={(topic) => setDraft({ ...draft, topic })} error={fieldError(error, 'topic')} />
              {partsOf[draft.kind].map((part) => (
                <Field key={part.name} label={t(part.name as 'text')} error={partError(part.name)}>
                  {(props) =>
                    part.long ? (
                      <textarea {...props} className="liquid" rows={part.name === 'html' ? 6 : 5} spellCheck={false} value={draft.parts[part.name] ?? ''} onChange={(event) => setDraft({ ...draft, parts: { ...draft.parts, [part.name]: event.target.value } })} />
                    ) : (
                      <input {...props} className="liquid" spellCheck={false} value={draft.parts[part.name] ?? ''} onChange={(event) => setDraft({ ...draft, parts: { ...draft.parts, [part.name]: event.target.value } })} />
                    )
                  }
                </Field>
              ))}
              {unplaced ? <ErrorNote error={error} /> : null}
              {saved !== null ? <Notice tone="success">{t('saved', { version: saved })}</Notice> : null}
              {writable ? (
                <button type="submit" className="primary">
                  {template ? t('save') : t('saveNew')}
                </button>
              ) : null}
            </fieldset>
          </form>
        </Card>
        <div>
          <Card title={t('preview')}>
            <p className="muted">{t('previewHint')}</p>
            <CustomerPick value={customer} onChange={setCustomer} />
            {customer && writable ? <PreviewPane draft={draft} customerId={customer.id} /> : <p className="muted">{t('previewPick')}</p>}
          </Card>
          {template && writable ? <TestSend template={template} customer={customer} /> : null}
        </div>
      </div>
    </Page>
  );
}

/** The parts as the API takes them: the kind's parts, an optional one left out while empty. */
const partsToSend = (draft: Draft) =>
  Object.fromEntries(partsOf[draft.kind].map((p) => [p.name, draft.parts[p.name] ?? '']).filter(([name, value]) => value !== '' || !partsOf[draft.kind].find((p) => p.name === name)?.optional));

const PREVIEW_DELAY_MS = 400;

/** What is typed, rendered for the customer a moment after typing stops (POST /v1/templates/preview: nothing is saved). */
function PreviewPane({ draft, customerId }: { draft: Draft; customerId: string }) {
  const t = useText(text);
  const [answer, setAnswer] = useState<{ content: DraftPreview['content'] | null; error: unknown }>({ content: null, error: null });
  const [rendering, setRendering] = useState(true);
  const body = JSON.stringify({ customerId, kind: draft.kind, parts: partsToSend(draft) });
  useEffect(() => {
    let current = true;
    setRendering(true);
    const timer = setTimeout(() => {
      api.post<DraftPreview>('/v1/templates/preview', JSON.parse(body)).then(
        (preview) => current && setAnswer({ content: preview.content, error: null }),
        (error: unknown) => current && setAnswer({ content: null, error }),
      ).finally(() => current && setRendering(false));
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [body]);
  const problems = answer.error instanceof ApiError ? answer.error.fields : [];
  return (
    <div aria-busy={rendering}>
      {rendering && !answer.content && !answer.error ? <p className="muted" role="status">{t('rendering')}</p> : null}
      {answer.error ? (
        <div className="alert error" role="alert">
          <p>{t('previewFailed')}</p>
          {problems.length > 0 ? (
            <ul>
              {problems.map((p) => {
                const part = p.field.replace(/^parts\./, '');
                return <li key={`${p.field}:${p.reason}`}>{`${partsOf[draft.kind].some((x) => x.name === part) ? t(part as 'text') : p.field}: ${p.reason}`}</li>;
              })}
            </ul>
          ) : (
            <p>{answer.error instanceof ApiError ? answer.error.detail || answer.error.title : String(answer.error)}</p>
          )}
        </div>
      ) : null}
      {answer.content && !answer.error ? (
        <section className="preview" aria-label={t('previewTitle')}>
          {answer.content.subject !== undefined ? (
            <p className="preview-subject">
              <span className="muted">{t('previewSubject')}: </span>
              {answer.content.subject}
            </p>
          ) : null}
          <pre className="preview-text">{answer.content.text}</pre>
        </section>
      ) : null}
    </div>
  );
}

function TestSend({ template, customer }: { template: Template; customer: PickedCustomer | null }) {
  const t = useText(text);
  const [to, setTo] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setSent(null), [customer, template.version]);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSent(null);
    if (!customer) {
      setError(new Error(t('pickFirst')));
      return;
    }
    setBusy(true);
    try {
      setSent(await api.post<Message>(`/v1/templates/${template.id}/test`, { customerId: customer.id, version: template.version, ...(to.trim() ? { to: to.trim() } : {}) }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('test')}>
      <form className="form" noValidate onSubmit={(event) => void send(event)}>
        <p className="muted">{t('testHint')}</p>
        <Field label={t('to')} error={fieldError(error, 'to')}>
          {(props) => <input {...props} value={to} onChange={(event) => setTo(event.target.value)} autoComplete="off" />}
        </Field>
        {error && !fieldError(error, 'to') ? <ErrorNote error={error} /> : null}
        {sent ? <Notice tone="success">{t('sent', { to: sent.recipient ?? t('sentCustomer') })}</Notice> : null}
        <button type="submit" className="secondary" disabled={busy}>
          {t('send')}
        </button>
      </form>
    </Card>
  );
}

