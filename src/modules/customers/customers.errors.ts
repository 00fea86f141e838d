import { defineErrors } from '../../platform/errors.ts';

export const customerErrors = defineErrors({
  'customer.not_found': { status: 404, title: 'Customer not found' },
  'customer.identifier_taken': { status: 409, title: 'The identifier belongs to another customer' },
  'customer.invalid_identifier': { status: 400, title: 'The identifier is not valid' },
  'customer.invalid_profile': { status: 400, title: 'The profile is not valid' },
  'customer.invalid_attribute': { status: 400, title: 'An attribute value does not fit its definition' },
  'customer.lookup_needs_one_identifier': { status: 400, title: 'Look up by exactly one identifier' },
  'customer.merge_self': { status: 409, title: 'A customer cannot be merged into itself' },
  'customer.already_merged': { status: 409, title: 'The customer was already merged into another one' },
  'customer.erased': { status: 409, title: 'The customer was erased' },
  'attribute.not_found': { status: 404, title: 'Attribute not found' },
  'attribute.type_change': { status: 409, title: 'An attribute\'s type cannot change once defined' },
  'attribute.invalid': { status: 400, title: 'The attribute definition is not valid' },
});
export const customerError = customerErrors.error;
