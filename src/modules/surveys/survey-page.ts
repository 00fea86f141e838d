import { html, type Html } from '../../platform/pages/html.ts';
import { localized, type PageLocale } from '../../platform/pages/i18n.ts';
import type { FormFields } from '../../platform/pages/forms.ts';
import type { SurveyForm } from './index.ts';
import type { Answers, Question } from './survey-types.ts';

/**
 * A survey as a page: each question a fieldset a screen reader names, NPS and ratings as rows
 * of radio buttons, choices as radios or checkboxes, a ranking as a place chosen per option (no
 * dragging, so it works with a keyboard and without script), free text as a text area.
 */
const words = {
  ru: { send: 'Отправить', thanks: 'Спасибо за ответы!', again: 'Вы уже отвечали: новый ответ заменит прежний.', closed: 'Опрос закрыт и больше не принимает ответы.', invalid: 'Эта ссылка на опрос недействительна.', invalidTitle: 'Ссылка недействительна', notLikely: 'совсем не вероятно', likely: 'очень вероятно', place: 'Место', optional: 'необязательно', fix: 'Проверьте ответы:', expired: 'Форма устарела. Обновите страницу и ответьте снова.', required: 'Ответьте на этот вопрос', tooMany: 'Слишком много ответов с этого адреса. Попробуйте позже.' },
  en: { send: 'Send', thanks: 'Thank you for your answers!', again: 'You answered before: a new answer replaces the old one.', closed: 'This survey is closed and takes no more answers.', invalid: 'This survey link is not valid.', invalidTitle: 'Link not valid', notLikely: 'not at all likely', likely: 'extremely likely', place: 'Place', optional: 'optional', fix: 'Please check your answers:', expired: 'The form has expired. Reload the page and answer again.', required: 'Please answer this question', tooMany: 'Too many answers from this address. Try again later.' },
} as const;
export const surveyWords = (locale: PageLocale) => words[locale];

function questionBody(question: Question, locale: PageLocale, previous: Answers | null, problem: string | undefined): Html {
  const legendId = `q-${question.id}`;
  const legend = html`<legend id="${legendId}">${localized(question.text, locale)}${question.required ? '' : html` <span class="hint">(${words[locale].optional})</span>`}</legend>`;
  const given = previous?.[question.id];
  const error = problem ? html`<div class="error" id="e-${question.id}">${problem}</div>` : '';
  const radios = (values: number[], labelOf: (v: number) => string) =>
    html`<div class="scale">${values.map(
      (v) => html`<label class="check" for="f-${question.id}-${v}"><input type="radio" id="f-${question.id}-${v}" name="${question.id}" value="${v}"${given === v ? html` checked` : ''}${question.required ? html` required` : ''}><span>${labelOf(v)}</span></label>`,
    )}</div>`;
  switch (question.type) {
    case 'nps':
      return html`<fieldset class="card">${legend}${radios([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (v) => (v === 0 ? `0 — ${words[locale].notLikely}` : v === 10 ? `10 — ${words[locale].likely}` : String(v)))}${error}</fieldset>`;
    case 'rating':
      return html`<fieldset class="card">${legend}${radios(Array.from({ length: question.max - question.min + 1 }, (_, i) => question.min + i), String)}${error}</fieldset>`;
    case 'single_choice':
    case 'multiple_choice': {
      const multiple = question.type === 'multiple_choice';
      const chosen = new Set(Array.isArray(given) ? given : typeof given === 'string' ? [given] : []);
      return html`<fieldset class="card">${legend}${question.options.map((option) => {
        const id = `f-${question.id}-${option.id}`;
        const name = multiple ? `${question.id}.${option.id}` : question.id;
        return html`<label class="check" for="${id}"><input type="${multiple ? 'checkbox' : 'radio'}" id="${id}" name="${name}" value="${option.id}"${chosen.has(option.id) ? html` checked` : ''}><span>${localized(option.text, locale)}</span></label>`;
      })}${error}</fieldset>`;
    }
    case 'ranking': {
      const order = Array.isArray(given) ? given : [];
      return html`<fieldset class="card">${legend}${question.options.map((option) => {
        const id = `f-${question.id}-${option.id}`;
        const at = order.indexOf(option.id) + 1;
        return html`<label for="${id}">${localized(option.text, locale)}</label><select id="${id}" name="${question.id}.${option.id}"><option value="">${words[locale].place}</option>${question.options.map((_, i) => html`<option value="${i + 1}"${at === i + 1 ? html` selected` : ''}>${i + 1}</option>`)}</select>`;
      })}${error}</fieldset>`;
    }
    case 'text':
      return html`<fieldset class="card">${legend}<label class="hp" for="f-${question.id}">${localized(question.text, locale)}</label><textarea id="f-${question.id}" name="${question.id}" maxlength="${question.maxLength}" aria-labelledby="${legendId}">${typeof given === 'string' ? given : ''}</textarea>${error}</fieldset>`;
  }
}

export function surveyBody(input: { survey: SurveyForm; locale: PageLocale; action: string; token: string; previous: Answers | null; alreadyAnswered: boolean; problems: Record<string, string>; notice?: string }): Html {
  const w = words[input.locale];
  const problems = Object.entries(input.problems);
  return html`<h1>${localized(input.survey.title, input.locale)}</h1>
${input.alreadyAnswered ? html`<p class="muted">${w.again}</p>` : ''}
${input.notice ? html`<p class="errors" role="alert">${input.notice}</p>` : ''}
${problems.length > 0 ? html`<div class="errors" role="alert"><p>${w.fix}</p><ul>${problems.map(([id, reason]) => html`<li><a href="#q-${id}">${reason}</a></li>`)}</ul></div>` : ''}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="form" value="${input.token}">
${input.survey.questions.map((question) => questionBody(question, input.locale, input.previous, input.problems[question.id]))}
<button class="wide" type="submit">${w.send}</button>
</form>`;
}

/** The form's fields as answers: numbers for scales, option ids, a ranking ordered by the places chosen. */
export function answersFrom(survey: SurveyForm, fields: FormFields): Answers {
  const answers: Answers = {};
  for (const question of survey.questions) {
    if (question.type === 'nps' || question.type === 'rating') {
      const raw = fields[question.id];
      if (raw !== undefined && raw !== '') answers[question.id] = /^-?\d{1,3}$/.test(raw) ? Number(raw) : raw;
    } else if (question.type === 'single_choice' || question.type === 'text') {
      const raw = fields[question.id];
      if (raw !== undefined && raw.trim() !== '') answers[question.id] = question.type === 'text' ? raw.trim() : raw;
    } else if (question.type === 'multiple_choice') {
      const chosen = question.options.filter((option) => fields[`${question.id}.${option.id}`] !== undefined).map((option) => option.id);
      if (chosen.length > 0) answers[question.id] = chosen;
    } else {
      const placed = question.options
        .map((option) => ({ id: option.id, place: Number(fields[`${question.id}.${option.id}`] ?? '') }))
        .filter((entry) => entry.place > 0);
      // Every option placed, each place once: otherwise sent as it is, and the survey says what is wrong.
      if (placed.length > 0) answers[question.id] = placed.sort((a, b) => a.place - b.place).map((entry) => entry.id);
    }
  }
  return answers;
}

export function thanksBody(survey: SurveyForm, locale: PageLocale): Html {
  return html`<h1>${localized(survey.title, locale)}</h1><p class="ok" role="status">${localized(survey.thankYou ?? undefined, locale) || words[locale].thanks}</p>`;
}

export function closedBody(survey: SurveyForm | null, locale: PageLocale): Html {
  const w = words[locale];
  return survey ? html`<h1>${localized(survey.title, locale)}</h1><p>${w.closed}</p>` : html`<h1>${w.invalidTitle}</h1><p>${w.invalid}</p>`;
}
