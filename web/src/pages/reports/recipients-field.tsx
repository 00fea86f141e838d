import { Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';

const text = defineText({
  en: { recipients: 'E-mail to', hint: 'Addresses separated by commas or new lines; empty: kept here only. Webhooks subscribed to the event get it too' },
  ru: { recipients: 'Отправлять на e-mail', hint: 'Адреса через запятую или с новой строки; пусто — только хранить здесь. Вебхуки, подписанные на событие, тоже получат' },
});

const MAX = 20;
/** The names the server gives a refused address (`recipients.3`), for the form to show them here. */
export const recipientFields = ['recipients', ...Array.from({ length: MAX }, (_, i) => `recipients.${i}`)];
/** The addresses as typed, one per comma, semicolon or line; the server trims, lower-cases and checks them. */
export const recipientsOf = (typed: string): string[] => typed.split(/[\n,;]+/).map((part) => part.trim()).filter((part) => part !== '');
export const sameRecipients = (a: string[], b: string[]) => a.length === b.length && a.every((address, i) => address === b[i]);

/** Where a scheduled report or an alert is e-mailed: the refused address is named beside the server's reason. */
export function RecipientsField({ value, onChange, error }: { value: string; onChange: (value: string) => void; error: unknown }) {
  const t = useText(text);
  const typed = recipientsOf(value);
  const refused = typed.map((address, i) => [address, fieldError(error, `recipients.${i}`)] as const).find(([, reason]) => reason !== null);
  const problem = refused ? `${refused[0]}: ${refused[1]}` : fieldError(error, 'recipients');
  return (
    <Field label={t('recipients')} hint={t('hint')} error={problem}>
      {(props) => <textarea {...props} rows={2} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
