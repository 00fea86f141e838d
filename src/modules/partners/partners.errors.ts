import { defineErrors } from '../../platform/errors.ts';

export const partnerErrors = defineErrors({
  'partner.not_found': { status: 404, title: 'Partner not found' },
  'partner.invalid': { status: 400, title: 'The partner is not valid' },
  'partner.unknown_store': { status: 400, title: 'A store named is not in the store catalog' },
  'partner.store_taken': { status: 409, title: 'A store named belongs to another partner' },
  'partner.version_conflict': { status: 409, title: 'The partner was changed since it was read' },
  'partner.out_of_scope': { status: 403, title: 'A partner key reads only its own partner' },
  'settlement.invalid_period': { status: 400, title: 'The settlement period is not valid' },
});
export const partnerError = partnerErrors.error;
