import { defineErrors } from '../../platform/errors.ts';

export const messagingErrors = defineErrors({
  'messaging.channel_not_found': { status: 404, title: 'Channel not found' },
  'messaging.invalid_channel': { status: 400, title: 'The channel settings are not valid' },
  'messaging.channel_exists': { status: 409, title: 'A channel of that name, or an active one of that kind, exists' },
  'messaging.template_not_found': { status: 404, title: 'Template not found' },
  'messaging.invalid_template': { status: 400, title: 'The template is not valid' },
  'messaging.template_exists': { status: 409, title: 'A template of that name exists' },
  'messaging.template_in_use': { status: 409, title: 'The template is in use' },
  'messaging.render_failed': { status: 422, title: 'The template could not be rendered' },
  'messaging.no_channel': { status: 409, title: 'No active channel of that kind' },
  'messaging.no_address': { status: 422, title: 'The customer has no address on that channel' },
  'messaging.invalid_policy': { status: 400, title: 'The contact policy is not valid' },
  'messaging.campaign_not_found': { status: 404, title: 'Campaign not found' },
  'messaging.invalid_campaign': { status: 400, title: 'The campaign is not valid' },
  'messaging.invalid_audience': { status: 400, title: 'The audience file is not valid' },
  'messaging.campaign_state': { status: 409, title: 'The campaign is not in a state that allows this' },
  'messaging.journey_not_found': { status: 404, title: 'Journey not found' },
  'messaging.invalid_journey': { status: 400, title: 'The journey is not valid' },
  'messaging.journey_state': { status: 409, title: 'The journey is not in a state that allows this' },
  'messaging.invalid_report_query': { status: 400, title: 'The report\'s query is not valid' },
  'messaging.webhook_not_found': { status: 404, title: 'Webhook not found' },
  'messaging.invalid_webhook': { status: 400, title: 'The webhook is not valid' },
  'messaging.invalid_subscription': { status: 400, title: 'The push subscription is not valid' },
  'messaging.callback_refused': { status: 403, title: 'The callback does not carry the channel\'s secret or signature' },
  'messaging.invalid_bounce': { status: 400, title: 'The body is not a bounce or complaint report' },
});
export const messagingError = messagingErrors.error;
