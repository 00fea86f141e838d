import { html, type Html } from '../../platform/pages/html.ts';
import { localized, plural, type PageLocale } from '../../platform/pages/i18n.ts';
import type { JoinMode } from './index.ts';
import { profileFields, type JoinForm, type ProfileField } from './join-form.ts';
import type { PageText } from './page-text.ts';

/** The bodies of the join and sign-in pages (the shell is platform/pages/layout.ts). */
export type FormState = { values: Record<string, string>; problems: Record<string, string> };

const inputTypes: Record<ProfileField, string> = { email: 'email', firstName: 'text', lastName: 'text', birthDate: 'date', gender: 'select', city: 'text' };
const autocomplete: Record<ProfileField, string> = { email: 'email', firstName: 'given-name', lastName: 'family-name', birthDate: 'bday', gender: 'sex', city: 'address-level2' };

function problemList(words: PageText, problems: Record<string, string>): Html | '' {
  const entries = Object.entries(problems);
  if (entries.length === 0) return '';
  return html`<div class="errors" role="alert"><p>${words.fixErrors}</p><ul>${entries.map(([field, reason]) => html`<li><a href="#f-${field}">${reason}</a></li>`)}</ul></div>`;
}

function field(name: string, label: string, state: FormState, options: { type: string; required: boolean; hint?: string; autocomplete?: string; words: PageText; inputmode?: string }): Html {
  const problem = state.problems[name];
  const described = [options.hint ? `h-${name}` : '', problem ? `e-${name}` : ''].filter(Boolean).join(' ');
  const optional = options.required ? '' : html` <span class="hint">(${options.words.optional})</span>`;
  return html`<label for="f-${name}">${label}${optional}</label>
${options.hint ? html`<div class="hint" id="h-${name}">${options.hint}</div>` : ''}
<input id="f-${name}" name="${name}" type="${options.type}" value="${state.values[name] ?? ''}"${options.required ? html` required aria-required="true"` : ''}${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${options.inputmode ? html` inputmode="${options.inputmode}"` : ''}${problem ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}>
${problem ? html`<div class="error" id="e-${name}">${problem}</div>` : ''}`;
}

export function joinFormBody(input: { form: JoinForm; words: PageText; locale: PageLocale; token: string; mode: JoinMode; state: FormState; notice?: string }): Html {
  const { form, words, locale, state } = input;
  // In the schema's order: a saved form comes back from jsonb with its keys sorted by length.
  const profile = profileFields.map((name) => [name, form.fields[name]] as const).filter(([, use]) => use !== 'hidden');
  return html`<h1>${localized(form.title, locale) || words.joinTitle}</h1>
${form.intro ? html`<p>${localized(form.intro, locale)}</p>` : ''}
${input.notice ? html`<p class="errors" role="alert">${input.notice}</p>` : ''}
${problemList(words, state.problems)}
<form class="card" method="post" action="/join?mode=${input.mode}&amp;lang=${locale}" novalidate>
<input type="hidden" name="form" value="${input.token}">
${field('phone', words.phone, state, { type: 'tel', required: true, hint: words.phoneHint, autocomplete: 'tel', inputmode: 'tel', words })}
${profile.map(([name, use]) =>
  name === 'gender'
    ? html`<label for="f-gender">${words.gender}${use === 'required' ? '' : html` <span class="hint">(${words.optional})</span>`}</label>
<select id="f-gender" name="gender" autocomplete="sex"><option value="">${words.genderNone}</option>${(['female', 'male', 'other'] as const).map((g) => html`<option value="${g}"${state.values.gender === g ? html` selected` : ''}>${words[g === 'female' ? 'genderFemale' : g === 'male' ? 'genderMale' : 'genderOther']}</option>`)}</select>`
    : field(name, words[name], state, { type: inputTypes[name], required: use === 'required', autocomplete: autocomplete[name], words, ...(name === 'birthDate' ? { hint: words.birthDateHint } : {}) }),
)}
${form.attributes.map((attribute) => field(`attr_${attribute.key}`, localized(attribute.label, locale), state, { type: 'text', required: attribute.required, words }))}
${form.consents.map((consent) => {
  const name = `consent_${consent.id}`;
  const problem = state.problems[name];
  return html`<label class="check" for="f-${name}"><input type="checkbox" id="f-${name}" name="${name}" value="yes"${state.values[name] ? html` checked` : ''}${consent.required ? html` required aria-required="true"` : ''}${problem ? html` aria-invalid="true" aria-describedby="e-${name}"` : ''}><span>${localized(consent.text, locale)}</span></label>
${problem ? html`<div class="error" id="e-${name}">${problem}</div>` : ''}`;
})}
<div class="hp" aria-hidden="true"><label for="f-website">Website</label><input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button class="wide" type="submit">${words.join}</button>
</form>
${input.mode === 'page' ? html`<p>${words.alreadyMember} <a href="/me/sign-in?lang=${locale}">${words.signInLink}</a></p>` : ''}`;
}

export function codeBody(input: { words: PageText; locale: PageLocale; action: string; challengeId: string; phone: string; token: string; error?: string; startOver: string }): Html {
  const { words } = input;
  return html`<h1>${words.codeTitle}</h1>
<p>${words.codeSentTo} <strong>${maskPhone(input.phone)}</strong>.</p>
${input.error ? html`<p class="errors" role="alert" id="e-code">${input.error}</p>` : ''}
<form class="card" method="post" action="${input.action}" novalidate>
<input type="hidden" name="form" value="${input.token}">
<input type="hidden" name="challenge" value="${input.challengeId}">
<label for="f-code">${words.codeLabel}</label>
<input class="code" id="f-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required aria-required="true" autofocus${input.error ? html` aria-invalid="true" aria-describedby="e-code"` : ''}>
<button class="wide" type="submit">${words.confirm}</button>
</form>
<p><a href="${input.startOver}">${words.startOver}</a></p>`;
}

export function codeFailureText(words: PageText, failure: 'wrong' | 'expired' | 'no_attempts_left', left: number): string {
  return failure === 'wrong' ? `${words.codeWrong} ${left}` : words.codeExpired;
}

export function tooManyText(words: PageText, locale: PageLocale, retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `${words.tooMany} ${minutes} ${plural(locale, minutes, words.minutes as readonly [string, string, string])}.`;
}

/** +7 912 ***-**-89: enough for a person to know it is theirs, not enough for a passer-by. */
export function maskPhone(phone: string): string {
  return phone.length > 6 ? `${phone.slice(0, phone.length - 7)}***${phone.slice(-2)}` : phone;
}

export function welcomeBody(input: { words: PageText; locale: PageLocale; created: boolean; mode: JoinMode }): Html {
  const { words } = input;
  const next =
    input.mode === 'kiosk'
      ? html`<a class="button wide" href="/join?mode=kiosk&amp;lang=${input.locale}">${words.nextCustomer}</a>`
      : input.mode === 'page'
        ? html`<a class="button wide" href="/me?lang=${input.locale}">${words.toAccount}</a>`
        : '';
  return html`<h1>${words.welcomeTitle}</h1><p class="ok" role="status">${input.created ? words.welcomeNew : words.welcomeBack}</p>${next}`;
}

export function signInBody(input: { words: PageText; locale: PageLocale; token: string; phone: string; problem?: string; notice?: string }): Html {
  const { words } = input;
  const state: FormState = { values: { phone: input.phone }, problems: input.problem ? { phone: input.problem } : {} };
  return html`<h1>${words.signInTitle}</h1>
${input.notice ? html`<p class="errors" role="alert">${input.notice}</p>` : ''}
<form class="card" method="post" action="/me/sign-in?lang=${input.locale}" novalidate>
<input type="hidden" name="form" value="${input.token}">
${field('phone', words.phone, state, { type: 'tel', required: true, hint: words.phoneHint, autocomplete: 'tel', inputmode: 'tel', words })}
<button class="wide" type="submit">${words.signIn}</button>
</form>
<p>${words.notMember} <a href="/join?lang=${input.locale}">${words.joinLink}</a></p>`;
}

export function noticeBody(title: string, text: string, back?: { href: string; label: string }): Html {
  return html`<h1>${title}</h1><p class="errors" role="alert">${text}</p>${back ? html`<p><a href="${back.href}">${back.label}</a></p>` : ''}`;
}
