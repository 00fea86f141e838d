import type { DocExample } from './docs-examples.ts';

/**
 * The worked examples of the customer pages (docs/touchpoints.md): the join form's settings, and
 * the pages as a browser gets them. A page is shown by its <main>; a form's signed token is
 * FORM_TOKEN (docs-examples.ts). A posted form carries the token of the page it came from, so
 * the posts here are the ones any server answers alike: a form without its token, refused.
 */
const FORM = 'application/x-www-form-urlencoded' as const;
const formHeaders = { 'content-type': FORM };
const EXPIRED_JOIN = "<main id=\"main\"><h1>This form has expired</h1><p class=\"errors\" role=\"alert\">The form has expired or came from another site. Reload the page and send it again.</p><p><a href=\"/join?mode=page&amp;lang=en\">Start over</a></p></main>";
const EXPIRED_SIGN_IN = "<main id=\"main\"><h1>This form has expired</h1><p class=\"errors\" role=\"alert\">The form has expired or came from another site. Reload the page and send it again.</p><p><a href=\"/me/sign-in?lang=en\">Start over</a></p></main>";

/** A page in English as a browser gets it (shown by its <main>); with a body, a form posted to it. */
function page(route: DocExample['route'], summary: string, status: number, response: string, form?: string): DocExample {
  return { route, summary, role: null, query: { lang: 'en' }, ...(form === undefined ? {} : { headers: formHeaders, requestType: FORM, body: form }), status, responseType: 'text/html', responsePart: 'main', response };
}

/** A form of the account page posted without a session: on to sign in, nothing done. */
function toSignIn(route: DocExample['route'], summary: string, form: string): DocExample {
  return { route, summary, role: null, query: { lang: 'en' }, headers: formHeaders, requestType: FORM, body: form, status: 303, responseType: 'redirect', response: '/me/sign-in?lang=en' };
}

export const touchpointExamples: DocExample[] = [
  {
    route: 'GET /v1/touchpoints/join-form',
    summary: 'The built-in join form: phone confirmed by a code, e-mail, first name and birth date optional, three consents with their texts and versions',
    role: 'marketer',
    status: 200,
    response: {"title": {"ru": "Вступайте в клуб", "en": "Join the club"}, "intro": {"ru": "Баллы за каждую покупку, подарок в день рождения и закрытые предложения.", "en": "Points on every purchase, a birthday gift and members-only offers."}, "fields": {"email": "optional", "firstName": "optional", "lastName": "hidden", "birthDate": "optional", "gender": "hidden", "city": "hidden"}, "attributes": [], "consents": [{"id": "personal_data", "channel": "all", "purpose": "personal_data", "required": true, "version": "pd-1", "text": {"ru": "Я согласен на обработку моих персональных данных для участия в программе лояльности.", "en": "I agree to the processing of my personal data for the loyalty program."}}, {"id": "marketing_sms", "channel": "sms", "purpose": "marketing", "required": false, "version": "mkt-sms-1", "text": {"ru": "Присылайте мне предложения по SMS.", "en": "Send me offers by SMS."}}, {"id": "marketing_email", "channel": "email", "purpose": "marketing", "required": false, "version": "mkt-email-1", "text": {"ru": "Присылайте мне предложения по электронной почте.", "en": "Send me offers by e-mail."}}], "kiosk": {"idleSeconds": 60, "thanksSeconds": 8}, "cardPrefix": "2990", "embedOrigins": [], "version": 1, "updatedAt": null},
  },
  page('GET /join', 'The join form as a phone gets it, in English (?lang=en; otherwise the browser\'s language)', 200, "<main id=\"main\"><h1>Join the club</h1>\n<p>Points on every purchase, a birthday gift and members-only offers.</p>\n\n\n<form class=\"card\" method=\"post\" action=\"/join?mode=page&amp;lang=en\" novalidate>\n<input type=\"hidden\" name=\"form\" value=\"FORM_TOKEN\">\n<label for=\"f-phone\">Phone</label>\n<div class=\"hint\" id=\"h-phone\">We will text you a code</div>\n<input id=\"f-phone\" name=\"phone\" type=\"tel\" value=\"\" required aria-required=\"true\" autocomplete=\"tel\" inputmode=\"tel\" aria-describedby=\"h-phone\">\n\n<label for=\"f-email\">E-mail <span class=\"hint\">(optional)</span></label>\n\n<input id=\"f-email\" name=\"email\" type=\"email\" value=\"\" autocomplete=\"email\">\n<label for=\"f-firstName\">First name <span class=\"hint\">(optional)</span></label>\n\n<input id=\"f-firstName\" name=\"firstName\" type=\"text\" value=\"\" autocomplete=\"given-name\">\n<label for=\"f-birthDate\">Date of birth <span class=\"hint\">(optional)</span></label>\n<div class=\"hint\" id=\"h-birthDate\">For a birthday gift</div>\n<input id=\"f-birthDate\" name=\"birthDate\" type=\"date\" value=\"\" autocomplete=\"bday\" aria-describedby=\"h-birthDate\">\n\n\n<label class=\"check\" for=\"f-consent_personal_data\"><input type=\"checkbox\" id=\"f-consent_personal_data\" name=\"consent_personal_data\" value=\"yes\" required aria-required=\"true\"><span>I agree to the processing of my personal data for the loyalty program.</span></label>\n<label class=\"check\" for=\"f-consent_marketing_sms\"><input type=\"checkbox\" id=\"f-consent_marketing_sms\" name=\"consent_marketing_sms\" value=\"yes\"><span>Send me offers by SMS.</span></label>\n<label class=\"check\" for=\"f-consent_marketing_email\"><input type=\"checkbox\" id=\"f-consent_marketing_email\" name=\"consent_marketing_email\" value=\"yes\"><span>Send me offers by e-mail.</span></label>\n\n<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-website\">Website</label><input id=\"f-website\" name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></div>\n<button class=\"wide\" type=\"submit\">Join</button>\n</form>\n<p>Already a member? <a href=\"/me/sign-in?lang=en\">Sign in</a></p></main>"),
  page('POST /join', 'A join form posted without its token (from another site, or an old copy): refused, no code sent', 400, EXPIRED_JOIN, 'phone=%2B79123456789&consent_personal_data=yes'),
  page('POST /join/confirm', 'A code confirmed without the form\'s token: refused, nobody created', 400, EXPIRED_JOIN, 'challenge=otp_0195f3c2a8e07d3b9c41e2a6f5d8b701&code=123456'),
  page('GET /me/sign-in', 'Sign in to the account page: the phone, then a code by SMS', 200, "<main id=\"main\"><h1>Sign in to your account</h1>\n\n<form class=\"card\" method=\"post\" action=\"/me/sign-in?lang=en\" novalidate>\n<input type=\"hidden\" name=\"form\" value=\"FORM_TOKEN\">\n<label for=\"f-phone\">Phone</label>\n<div class=\"hint\" id=\"h-phone\">We will text you a code</div>\n<input id=\"f-phone\" name=\"phone\" type=\"tel\" value=\"\" required aria-required=\"true\" autocomplete=\"tel\" inputmode=\"tel\" aria-describedby=\"h-phone\">\n\n<button class=\"wide\" type=\"submit\">Send me a code</button>\n</form>\n<p>Not a member yet? <a href=\"/join?lang=en\">Join</a></p></main>"),
  page('POST /me/sign-in', 'A sign-in form posted without its token: refused, no code sent', 400, EXPIRED_SIGN_IN, 'phone=%2B79123456789'),
  page('POST /me/sign-in/confirm', 'A sign-in code sent without the form\'s token: refused, no session', 400, EXPIRED_SIGN_IN, 'challenge=otp_0195f3c2a8e07d3b9c41e2a6f5d8b701&code=123456'),
  {
    route: 'GET /me',
    summary: 'The account page without a session: on to sign in',
    role: null,
    query: { lang: 'en' },
    status: 303,
    responseType: 'redirect',
    response: '/me/sign-in?lang=en',
  },
  toSignIn('POST /me/preferences', 'Preferences posted without a session: on to sign in, nothing changed', 'sms=yes'),
  toSignIn('POST /me/topics', 'Topics posted without a session: on to sign in, nothing changed', 'shown=news+offers&topic%3Anews=yes'),
  toSignIn('POST /me/sign-out', 'Sign out without a session: on to sign in', 'form=x'),
  toSignIn('POST /me/receipts', 'A fiscal receipt\'s QR sent without a session: on to sign in, nothing stored', 'form=x&qr=t%3D20260301T1000%26s%3D1495.00%26fn%3D9960440300000001%26i%3D1%26fp%3D1000001%26n%3D1'),
  toSignIn('POST /me/feedback', 'A message to support sent without a session: on to sign in, no ticket', 'form=x&text=Where+are+my+points%3F'),
  toSignIn('POST /me/profile', 'A profile change without a session: on to sign in, nothing changed', 'form=x&firstName=Anna'),
  toSignIn('POST /me/telegram', 'Link Telegram without a session: on to sign in, no link made', 'form=x'),
  toSignIn('POST /me/erase-request', 'Ask to delete my data without a session: on to sign in, no request made', 'form=x'),
  {
    route: 'PUT /v1/touchpoints/join-form',
    summary: 'Ask the last name too, and let the shop\'s site show the form in a pop-up',
    role: 'marketer',
    body: {"title": {"ru": "Вступайте в клуб", "en": "Join the club"}, "intro": {"ru": "Баллы за каждую покупку, подарок в день рождения и закрытые предложения.", "en": "Points on every purchase, a birthday gift and members-only offers."}, "fields": {"email": "optional", "firstName": "optional", "lastName": "optional", "birthDate": "optional", "gender": "hidden", "city": "hidden"}, "attributes": [], "consents": [{"id": "personal_data", "channel": "all", "purpose": "personal_data", "required": true, "version": "pd-1", "text": {"ru": "Я согласен на обработку моих персональных данных для участия в программе лояльности.", "en": "I agree to the processing of my personal data for the loyalty program."}}, {"id": "marketing_sms", "channel": "sms", "purpose": "marketing", "required": false, "version": "mkt-sms-1", "text": {"ru": "Присылайте мне предложения по SMS.", "en": "Send me offers by SMS."}}, {"id": "marketing_email", "channel": "email", "purpose": "marketing", "required": false, "version": "mkt-email-1", "text": {"ru": "Присылайте мне предложения по электронной почте.", "en": "Send me offers by e-mail."}}], "kiosk": {"idleSeconds": 60, "thanksSeconds": 8}, "cardPrefix": "2990", "embedOrigins": ["https://coffee.example"], "version": 1},
    status: 200,
    response: {"title": {"ru": "Вступайте в клуб", "en": "Join the club"}, "intro": {"ru": "Баллы за каждую покупку, подарок в день рождения и закрытые предложения.", "en": "Points on every purchase, a birthday gift and members-only offers."}, "fields": {"email": "optional", "firstName": "optional", "lastName": "optional", "birthDate": "optional", "gender": "hidden", "city": "hidden"}, "attributes": [], "consents": [{"id": "personal_data", "channel": "all", "purpose": "personal_data", "required": true, "version": "pd-1", "text": {"ru": "Я согласен на обработку моих персональных данных для участия в программе лояльности.", "en": "I agree to the processing of my personal data for the loyalty program."}}, {"id": "marketing_sms", "channel": "sms", "purpose": "marketing", "required": false, "version": "mkt-sms-1", "text": {"ru": "Присылайте мне предложения по SMS.", "en": "Send me offers by SMS."}}, {"id": "marketing_email", "channel": "email", "purpose": "marketing", "required": false, "version": "mkt-email-1", "text": {"ru": "Присылайте мне предложения по электронной почте.", "en": "Send me offers by e-mail."}}], "kiosk": {"idleSeconds": 60, "thanksSeconds": 8}, "cardPrefix": "2990", "embedOrigins": ["https://coffee.example"], "version": 2, "updatedAt": "2026-03-01T09:00:00.000Z"},
  },
];

/** A survey link altered or made up, and a survey that is not public: the page a person then gets (no Accept-Language: Russian). */
const SURVEY_LINK_NOT_VALID = '<main id="main"><h1>Ссылка недействительна</h1><p>Эта ссылка на опрос недействительна.</p></main>';
const FORGED_SURVEY_TOKEN = 'srv_0190c0ffee00700080000000000000ff.cus_0190c0ffee00700080000000000000ff.forgedSignatureOf27Chars000';

/** A survey link that is not valid, opened or answered: the page saying so, nothing recorded. */
function notValidLink(route: DocExample['route'], summary: string, params: Record<string, string>, form?: string): DocExample {
  return { route, summary, role: null, params, ...(form === undefined ? {} : { headers: formHeaders, requestType: FORM, body: form }), status: 404, responseType: 'text/html', responsePart: 'main', response: SURVEY_LINK_NOT_VALID };
}

export const surveyPageExamples: DocExample[] = [
  notValidLink('GET /s/{token}', 'A survey link whose signature does not hold: a page saying so', { token: FORGED_SURVEY_TOKEN }),
  notValidLink('POST /s/{token}', 'Answers sent to a forged survey link: nothing recorded', { token: FORGED_SURVEY_TOKEN }, 'form=x&q1=9'),
  notValidLink('GET /s/p/{surveyId}', 'The public link of a survey that has none (or does not exist): a page saying so', { surveyId: 'srv_0190c0ffee00700080000000000000ff' }),
  notValidLink('POST /s/p/{surveyId}', 'An anonymous answer to a survey with no public link: nothing recorded', { surveyId: 'srv_0190c0ffee00700080000000000000ff' }, 'form=x&q1=9'),
];
