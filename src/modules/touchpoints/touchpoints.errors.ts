import { defineErrors } from '../../platform/errors.ts';

export const touchpointErrors = defineErrors({
  'touchpoints.invalid_join_form': { status: 400, title: 'The join form\'s settings are not valid' },
  'touchpoints.version_conflict': { status: 409, title: 'The join form was changed since it was read' },
});
export const touchpointError = touchpointErrors.error;
