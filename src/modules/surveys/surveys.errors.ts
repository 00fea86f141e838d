import { defineErrors } from '../../platform/errors.ts';

export const surveyErrors = defineErrors({
  'survey.not_found': { status: 404, title: 'Survey not found' },
  'survey.invalid': { status: 400, title: 'The survey is not valid' },
  'survey.answer_invalid': { status: 400, title: 'The answers do not fit the survey' },
  'survey.version_conflict': { status: 409, title: 'The survey was changed since it was read' },
  'survey.locked': { status: 409, title: 'This part of the survey can no longer change' },
  'survey.not_open': { status: 409, title: 'The survey does not take answers now' },
  'survey.customer_not_found': { status: 404, title: 'No such customer' },
  'survey.link_invalid': { status: 404, title: 'The survey link is not valid' },
  'survey.rate_limited': { status: 429, title: 'Too many answers from this address' },
});
export const surveyError = surveyErrors.error;
