import type { FormFields } from '../../platform/pages/forms.ts';
import { normalizeEmail, normalizePhone } from '../customers/index.ts';
import type { JoinForm, ProfileField } from './join-form.ts';
import type { PageText } from './page-text.ts';

/**
 * What a person typed into the join form, checked before a code is sent (a code for a form that
 * cannot be saved wastes an SMS): the phone and e-mail as they will be stored, the profile fields
 * the form asks, the declared attributes, and the consents ticked. Problems come per field, in
 * the page's words.
 */
export type JoinAnswers = {
  phone: string;
  profile: Partial<Record<ProfileField, string>>;
  attributes: Record<string, string>;
  /** The consent boxes ticked, by their id in the form. */
  consents: string[];
};

export type JoinAnswersResult = { answers: JoinAnswers; problems: Record<string, string> };

const GENDERS = new Set(['female', 'male', 'other']);

export function readJoinAnswers(form: JoinForm, fields: FormFields, phoneRegion: string, today: Date, words: PageText): JoinAnswersResult {
  const problems: Record<string, string> = {};
  const text = (name: string) => (fields[name] ?? '').trim();
  const phone = normalizePhone(text('phone'), phoneRegion);
  if (!text('phone')) problems.phone = words.required;
  else if (!phone.ok) problems.phone = words.badPhone;
  const profile: JoinAnswers['profile'] = {};
  for (const [field, use] of Object.entries(form.fields) as Array<[ProfileField, string]>) {
    if (use === 'hidden') continue;
    const value = text(field);
    if (value === '') {
      if (use === 'required') problems[field] = words.required;
      continue;
    }
    if (value.length > (field === 'email' ? 254 : 100)) {
      problems[field] = words.tooLong;
      continue;
    }
    if (field === 'email') {
      const email = normalizeEmail(value);
      if (!email.ok) problems.email = words.badEmail;
      else profile.email = email.value;
    } else if (field === 'birthDate') {
      const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
      if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value || date > today || date.getUTCFullYear() < 1900) problems.birthDate = words.badDate;
      else profile.birthDate = value;
    } else if (field === 'gender') {
      if (GENDERS.has(value)) profile.gender = value;
    } else {
      profile[field] = value;
    }
  }
  const attributes: Record<string, string> = {};
  for (const attribute of form.attributes) {
    const value = text(`attr_${attribute.key}`);
    if (value === '') {
      if (attribute.required) problems[`attr_${attribute.key}`] = words.required;
    } else if (value.length > 1000) problems[`attr_${attribute.key}`] = words.tooLong;
    else attributes[attribute.key] = value;
  }
  const consents: string[] = [];
  for (const consent of form.consents) {
    const ticked = fields[`consent_${consent.id}`] !== undefined;
    if (ticked) consents.push(consent.id);
    else if (consent.required) problems[`consent_${consent.id}`] = words.requiredConsent;
  }
  return { answers: { phone: phone.ok ? phone.value : text('phone'), profile, attributes, consents }, problems };
}
