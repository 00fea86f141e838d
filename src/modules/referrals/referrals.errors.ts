import { defineErrors } from '../../platform/errors.ts';

export const referralErrors = defineErrors({
  'referral.unknown_code': { status: 400, title: 'No customer has this referral code' },
  'referral.program_disabled': { status: 409, title: 'The referral program is switched off' },
  'referral.self_referral': { status: 409, title: 'A customer cannot refer themselves' },
  'referral.already_referred': { status: 409, title: 'The customer named a referrer already' },
  'referral.after_first_purchase': { status: 409, title: 'A referrer is named before the first purchase' },
  'referral.join_window_passed': { status: 409, title: 'A referrer is named soon after joining' },
  'referral.device_used': { status: 409, title: 'This device or payment card was used for another referral' },
  'referral.cap_reached': { status: 409, title: 'The referrer has brought as many customers as the program allows' },
  'referral_program.invalid': { status: 400, title: 'The referral program settings are not valid' },
  'referral_program.version_conflict': { status: 409, title: 'The referral program settings were changed since they were read' },
});
export const referralError = referralErrors.error;
