import { defineErrors } from '../../../platform/errors.ts';

/**
 * The template engine's failures. The messaging module registers this table with its own, so a
 * preview or a save answers problem+json with these codes.
 */
export const templateErrors = defineErrors({
  'template.invalid': { status: 422, title: 'The template is not valid' },
  'template.render_failed': { status: 422, title: 'The template could not be rendered' },
});
export const templateError = templateErrors.error;
