import { Type, type Static } from 'typebox';
import type { FieldProblem } from '../../platform/errors.ts';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';

/**
 * The join form as the marketer sets it: which profile fields it asks (phone always, confirmed
 * by a code), which declared custom attributes, and the consent checkboxes with their exact
 * text and its version, stored as evidence with every consent given through the form.
 */
const Text = (maxLength: number, description: string) =>
  Type.Object({ ru: Type.Optional(Type.String({ maxLength })), en: Type.Optional(Type.String({ maxLength })) }, { additionalProperties: false, description });

export const profileFields = ['email', 'firstName', 'lastName', 'birthDate', 'gender', 'city'] as const;
export type ProfileField = (typeof profileFields)[number];
const FieldUse = StringEnum(['required', 'optional', 'hidden'] as const, { description: 'required, optional, or not asked (hidden)' });

const ConsentBox = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'The checkbox\'s name in the form' }),
    channel: StringEnum(['email', 'sms', 'push', 'messenger', 'call', 'post', 'all'] as const),
    purpose: StringEnum(['personal_data', 'marketing', 'transactional', 'profiling'] as const),
    required: Type.Boolean({ description: 'The form cannot be sent without it (e.g. personal data processing)' }),
    version: Type.String({ minLength: 1, maxLength: 100, description: 'The text\'s version, stored with each consent as evidence; change it when the text changes' }),
    text: Text(2000, 'The exact text beside the checkbox'),
  },
  { additionalProperties: false },
);

const AttributeBox = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'A declared customer attribute (GET /v1/customer-attributes)' }),
    label: Text(200, 'The field\'s label'),
    required: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const JoinFormSchema = named('JoinForm', Type.Object(
  {
    title: Text(200, 'The page\'s heading'),
    intro: Text(1000, 'A line under the heading: what joining gives'),
    fields: Type.Object(
      {
        email: FieldUse,
        firstName: FieldUse,
        lastName: FieldUse,
        birthDate: FieldUse,
        gender: FieldUse,
        city: FieldUse,
      },
      { additionalProperties: false, description: 'Profile fields besides the phone, which is always asked and confirmed by a code' },
    ),
    attributes: Type.Array(AttributeBox, { maxItems: 20, description: 'Custom attributes the form asks (text fields)' }),
    consents: Type.Array(ConsentBox, { maxItems: 10 }),
    kiosk: Type.Object(
      {
        idleSeconds: Type.Integer({ minimum: 15, maximum: 3600, description: 'A kiosk form left untouched this long starts over' }),
        thanksSeconds: Type.Integer({ minimum: 3, maximum: 120, description: 'How long the kiosk shows the welcome before the next person\'s form' }),
      },
      { additionalProperties: false },
    ),
    cardPrefix: Type.String({
      pattern: '^[0-9]{0,8}$',
      description: 'Digits that start the digital card numbers given to customers who join online or sign in without a card (13 digits in all, the last a Luhn check digit)',
    }),
    embedOrigins: Type.Array(Type.String({ maxLength: 200 }), {
      maxItems: 20,
      description: 'Sites that may show the form in a pop-up (iframe), as origins like https://shop.example; none, and no site may frame it',
    }),
  },
  { additionalProperties: false },
));
export type JoinForm = Static<typeof JoinFormSchema>;

export const JoinFormView = named(
  'JoinFormSettings',
  Type.Object({
    ...JoinFormSchema.properties,
    version: Type.Integer(),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the marketer last changed it; null while it is the built-in form' }),
  }),
);

export const defaultJoinForm: JoinForm = {
  title: { ru: 'Вступайте в клуб', en: 'Join the club' },
  intro: { ru: 'Баллы за каждую покупку, подарок в день рождения и закрытые предложения.', en: 'Points on every purchase, a birthday gift and members-only offers.' },
  fields: { email: 'optional', firstName: 'optional', lastName: 'hidden', birthDate: 'optional', gender: 'hidden', city: 'hidden' },
  attributes: [],
  consents: [
    {
      id: 'personal_data',
      channel: 'all',
      purpose: 'personal_data',
      required: true,
      version: 'pd-1',
      text: { ru: 'Я согласен на обработку моих персональных данных для участия в программе лояльности.', en: 'I agree to the processing of my personal data for the loyalty program.' },
    },
    {
      id: 'marketing_sms',
      channel: 'sms',
      purpose: 'marketing',
      required: false,
      version: 'mkt-sms-1',
      text: { ru: 'Присылайте мне предложения по SMS.', en: 'Send me offers by SMS.' },
    },
    {
      id: 'marketing_email',
      channel: 'email',
      purpose: 'marketing',
      required: false,
      version: 'mkt-email-1',
      text: { ru: 'Присылайте мне предложения по электронной почте.', en: 'Send me offers by e-mail.' },
    },
  ],
  kiosk: { idleSeconds: 60, thanksSeconds: 8 },
  cardPrefix: '2990',
  embedOrigins: [],
};

/** What the schema cannot say: unique names, texts in at least one language, real origins. */
export function joinFormProblems(form: JoinForm): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  form.consents.forEach((consent, index) => {
    if (seen.has(consent.id)) problems.push({ field: `consents.${index}.id`, reason: `"${consent.id}" is used by another consent of the form` });
    seen.add(consent.id);
    if (!consent.text.ru?.trim() && !consent.text.en?.trim()) problems.push({ field: `consents.${index}.text`, reason: 'must have the text in Russian or English (the customer agrees to that text)' });
  });
  const keys = new Set<string>();
  form.attributes.forEach((attribute, index) => {
    if (keys.has(attribute.key)) problems.push({ field: `attributes.${index}.key`, reason: `"${attribute.key}" is asked twice` });
    keys.add(attribute.key);
    if (!attribute.label.ru?.trim() && !attribute.label.en?.trim()) problems.push({ field: `attributes.${index}.label`, reason: 'must have a label in Russian or English' });
  });
  form.embedOrigins.forEach((origin, index) => {
    const url = URL.canParse(origin) ? new URL(origin) : null;
    if (!url || !['https:', 'http:'].includes(url.protocol) || url.origin !== origin) {
      problems.push({ field: `embedOrigins.${index}`, reason: 'must be an origin: scheme and host (and port), like https://shop.example, with no path or trailing slash' });
    }
  });
  return problems;
}
