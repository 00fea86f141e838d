import { defineErrors } from '../../platform/errors.ts';

export const engagementErrors = defineErrors({
  'event.invalid': { status: 400, title: 'The event is not valid' },
  'event.conflict': { status: 409, title: 'The eventId was used for another event' },
  'action_rule.not_found': { status: 404, title: 'Action rule not found' },
  'action_rule.invalid': { status: 400, title: 'The action rule is not valid' },
  'action_rule.version_conflict': { status: 409, title: 'The action rule was changed since it was read' },
  'action_rule.in_use': { status: 409, title: 'The action rule has awarded points and cannot be deleted' },
  'birthday_offer.invalid': { status: 400, title: 'The birthday offer is not valid' },
  'birthday_offer.version_conflict': { status: 409, title: 'The birthday offer was changed since it was read' },
});
export const engagementError = engagementErrors.error;
