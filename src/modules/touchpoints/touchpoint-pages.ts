import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { formToken, formTokenValid, sameSiteRequest } from '../../platform/pages/form-guard.ts';
import { acceptForms, type FormFields } from '../../platform/pages/forms.ts';
import type { PageLocale } from '../../platform/pages/i18n.ts';
import { pageScript } from '../../platform/pages/layout.ts';
import { pageResponder } from '../../platform/pages/responder.ts';
import { AppError } from '../../platform/errors.ts';
import { cookieMustBeSecure } from '../../platform/http.ts';
import { accountBody, accountNotices, preferenceChannels, type AccountNotice } from './account-pages.ts';
import { SESSION_COOKIE } from './customer-sessions.ts';
import type { JoinMode, Touchpoints, Visitor } from './index.ts';
import { codeBody, codeFailureText, joinFormBody, noticeBody, signInBody, tooManyText, welcomeBody } from './join-pages.ts';
import { pageText } from './page-text.ts';
import { qrReaderRoute } from './qr-reader.ts';

/** The account page's own script: the camera scan of a receipt's QR, its reader a worker of this origin. */
const FISCAL_SCAN = pageScript(readFileSync(new URL('./assets/fiscal-scan.js', import.meta.url), 'utf8'), { workers: true });

const PageQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10, description: 'ru or en: the page\'s language (remembered); otherwise the browser\'s' })),
  mode: Type.Optional(Type.String({ maxLength: 10, description: 'page (default), kiosk (a tablet at the till: large, starts over) or embed (inside a site\'s pop-up)' })),
});
const MeQuery = Type.Object({ lang: PageQuery.properties.lang, done: Type.Optional(Type.String({ maxLength: 30, description: 'Set after a change: what the page then says (saved, receipt_sent, feedback_sent, …)' })) });
const FormBody = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }), { maxProperties: 60, description: 'The form\'s fields (application/x-www-form-urlencoded)' });
const htmlAnswer = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const pageResponses = {
  200: htmlAnswer('The page'),
  400: htmlAnswer('The page again, each problem named beside its field; or, when the form had expired or came from another site, a page saying so'),
  429: htmlAnswer('Too many codes asked for this phone or from this address: a page saying when to try again (Retry-After)'),
};
const redirect = { 303: { description: 'On to the next page', type: 'null' } };

const modeOf = (raw: string | undefined): JoinMode => (raw === 'kiosk' || raw === 'embed' ? raw : 'page');

/**
 * The pages customers see: the join form (hosted, kiosk, pop-up) and the account page with its
 * sign-in by a code. Server-rendered HTML with form posts; each form carries a signed token and
 * a POST from another site is refused. A session is an httpOnly, SameSite=Lax cookie limited to
 * /me, Secure unless the server is reached over plain http on this machine (development).
 */
export function touchpointPages(app: FastifyInstance, { touchpoints }: { touchpoints: Touchpoints }): void {
  qrReaderRoute(app);
  app.register(async (scope) => {
    acceptForms(scope);
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();

    // The language switch keeps a kiosk's or a pop-up's mode; the chosen language is remembered.
    const pages = pageResponder({ brand: touchpoints.programName, keep: { mode: (mode) => (mode === 'kiosk' || mode === 'embed' ? mode : null) }, remembered: true });
    const localeOf = pages.locale;
    const page = pages.send;
    const visitorOf = (request: FastifyRequest, locale: PageLocale): Visitor => ({ ip: request.ip ?? null, userAgent: request.headers['user-agent']?.slice(0, 500) ?? null, locale });
    const now = () => touchpoints.now();
    /** A posted form is taken only from this site and with a good token for what it acts on. */
    const formGood = async (request: FastifyRequest, binding: string) => sameSiteRequest(request) && formTokenValid(await touchpoints.secret(), binding, (request.body as FormFields | undefined)?.form, now());
    const expired = async (request: FastifyRequest, reply: FastifyReply, locale: PageLocale, back: string) => {
      const words = pageText[locale];
      return page(request, reply, locale, { status: 400, title: words.formExpiredTitle, body: noticeBody(words.formExpiredTitle, words.formExpired, { href: back, label: words.startOver }) });
    };

    // ---- join -------------------------------------------------------------------------------
    const joinPage = async (request: FastifyRequest, reply: FastifyReply, mode: JoinMode, locale: PageLocale, state: { values: Record<string, string>; problems: Record<string, string> }, status = 200, notice?: string) => {
      const { form } = await touchpoints.settings();
      const words = pageText[locale];
      const token = formToken(await touchpoints.secret(), 'join', now());
      return page(request, reply, locale, {
        status,
        title: words.joinTitle,
        variant: mode,
        frameAncestors: form.embedOrigins,
        body: joinFormBody({ form, words, locale, token, mode, state, ...(notice ? { notice } : {}) }),
        ...(mode === 'kiosk' ? { data: { 'idle-seconds': form.kiosk.idleSeconds, home: `/join?mode=kiosk&lang=${locale}` } } : {}),
      });
    };
    r.get('/join', {
      schema: { tags: ['touchpoints'], summary: 'The join form: phone (confirmed by an SMS code), the fields and consents the marketer set', security: [], querystring: PageQuery, produces: ['text/html'], response: { 200: pageResponses[200] } },
      handler: async (request, reply) => joinPage(request, reply, modeOf(request.query.mode), localeOf(request), { values: {}, problems: {} }),
    });
    r.post('/join', {
      schema: {
        tags: ['touchpoints'],
        summary: 'Send the join form: checked field by field, then a one-time code goes to the phone by SMS (limited per phone and per address)',
        security: [],
        querystring: PageQuery,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: pageResponses,
      },
      handler: async (request, reply) => {
        const mode = modeOf(request.query.mode);
        const locale = localeOf(request);
        const words = pageText[locale];
        const fields = request.body;
        if (!(await formGood(request, 'join'))) return expired(request, reply, locale, `/join?mode=${mode}&lang=${locale}`);
        const values = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'form' && name !== 'website'));
        // A bot fills the hidden field: it is shown the code page, and no code is sent.
        if (fields.website) return page(request, reply, locale, { title: words.codeTitle, variant: mode, body: noticeBody(words.codeTitle, words.codeExpired) });
        const started = await touchpoints.startJoin(fields, visitorOf(request, locale));
        if ('problems' in started) return joinPage(request, reply, mode, locale, { values, problems: started.problems }, 400);
        if (!started.sent) {
          if (started.reason === 'too_many') reply.header('retry-after', String(started.retryAfterSeconds));
          const notice = started.reason === 'too_many' ? tooManyText(words, locale, started.retryAfterSeconds) : started.reason === 'no_channel' ? words.noSms : words.cannotSend;
          return joinPage(request, reply, mode, locale, { values, problems: {} }, started.reason === 'too_many' ? 429 : 400, notice);
        }
        const { form } = await touchpoints.settings();
        return page(request, reply, locale, {
          title: words.codeTitle,
          variant: mode,
          frameAncestors: form.embedOrigins,
          body: codeBody({ words, locale, action: `/join/confirm?mode=${mode}&lang=${locale}`, challengeId: started.challengeId, phone: started.phone, token: formToken(await touchpoints.secret(), 'join', now()), startOver: `/join?mode=${mode}&lang=${locale}` }),
          ...(mode === 'kiosk' ? { data: { 'idle-seconds': form.kiosk.idleSeconds, home: `/join?mode=kiosk&lang=${locale}` } } : {}),
        });
      },
    });
    r.post('/join/confirm', {
      schema: {
        tags: ['touchpoints'],
        summary: 'Confirm the code: the customer is created (or the member with that phone linked) with the consents and the version of their text; on the hosted page they are signed in',
        security: [],
        querystring: PageQuery,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: { 200: pageResponses[200], 400: htmlAnswer('The code page again, saying the code was wrong or has expired (or that the form had expired)') },
      },
      handler: async (request, reply) => {
        const mode = modeOf(request.query.mode);
        const locale = localeOf(request);
        const words = pageText[locale];
        if (!(await formGood(request, 'join'))) return expired(request, reply, locale, `/join?mode=${mode}&lang=${locale}`);
        const { form } = await touchpoints.settings();
        const challengeId = String(request.body.challenge ?? '').slice(0, 60);
        const done = await touchpoints.confirmJoin(challengeId, String(request.body.code ?? '').slice(0, 20), mode, visitorOf(request, locale));
        const kiosk = mode === 'kiosk' ? { data: { 'idle-seconds': form.kiosk.idleSeconds, home: `/join?mode=kiosk&lang=${locale}` } } : {};
        if (typeof done === 'string') {
          const challenge = await touchpoints.challenge(challengeId);
          const error = codeFailureText(words, done, challenge.attemptsLeft);
          if (done !== 'wrong') return page(request, reply, locale, { status: 400, title: words.codeTitle, variant: mode, frameAncestors: form.embedOrigins, body: noticeBody(words.codeTitle, error, { href: `/join?mode=${mode}&lang=${locale}`, label: words.startOver }), ...kiosk });
          const phone = challenge.phone;
          return page(request, reply, locale, {
            status: 400,
            title: words.codeTitle,
            variant: mode,
            frameAncestors: form.embedOrigins,
            body: codeBody({ words, locale, action: `/join/confirm?mode=${mode}&lang=${locale}`, challengeId, phone, token: formToken(await touchpoints.secret(), 'join', now()), error, startOver: `/join?mode=${mode}&lang=${locale}` }),
            ...kiosk,
          });
        }
        // A shared tablet or a site's pop-up never stays signed in; the hosted page goes on to the account.
        if (mode === 'page') {
          const session = await touchpoints.startSession(done.customerId);
          reply.setCookie(SESSION_COOKIE, session.token, { path: '/me', httpOnly: true, sameSite: 'lax', secure: cookieMustBeSecure(request), maxAge: session.maxAgeSeconds });
        }
        return page(request, reply, locale, {
          title: words.welcomeTitle,
          variant: mode,
          frameAncestors: form.embedOrigins,
          body: welcomeBody({ words, locale, created: done.created, mode }),
          ...(mode === 'kiosk' ? { refresh: { seconds: form.kiosk.thanksSeconds, url: `/join?mode=kiosk&lang=${locale}` } } : {}),
          ...(mode === 'embed' ? { data: { joined: 'yes' } } : {}),
        });
      },
    });

    // ---- sign-in and the account page ----------------------------------------------------------
    const signInPage = async (request: FastifyRequest, reply: FastifyReply, locale: PageLocale, phone = '', status = 200, problem?: string, notice?: string) => {
      const words = pageText[locale];
      const token = formToken(await touchpoints.secret(), 'sign_in', now());
      return page(request, reply, locale, { status, title: words.signInTitle, body: signInBody({ words, locale, token, phone, ...(problem ? { problem } : {}), ...(notice ? { notice } : {}) }) });
    };
    r.get('/me/sign-in', {
      schema: { tags: ['touchpoints'], summary: 'Sign in to the account page: the phone, then a code by SMS', security: [], querystring: MeQuery, produces: ['text/html'], response: { 200: pageResponses[200] } },
      handler: async (request, reply) => signInPage(request, reply, localeOf(request)),
    });
    r.post('/me/sign-in', {
      schema: {
        tags: ['touchpoints'],
        summary: 'Ask for a sign-in code: sent by SMS if the phone is a member\'s; the page is the same either way (it tells no one who is a member)',
        security: [],
        querystring: MeQuery,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: pageResponses,
      },
      handler: async (request, reply) => {
        const locale = localeOf(request);
        const words = pageText[locale];
        if (!(await formGood(request, 'sign_in'))) return expired(request, reply, locale, `/me/sign-in?lang=${locale}`);
        const phone = String(request.body.phone ?? '');
        const started = await touchpoints.startSignIn(phone, visitorOf(request, locale));
        if ('problems' in started) return signInPage(request, reply, locale, phone, 400, started.problems.phone);
        if (!started.sent) {
          if (started.reason === 'too_many') reply.header('retry-after', String(started.retryAfterSeconds));
          const notice = started.reason === 'too_many' ? tooManyText(words, locale, started.retryAfterSeconds) : started.reason === 'no_channel' ? words.noSms : words.cannotSend;
          return signInPage(request, reply, locale, phone, started.reason === 'too_many' ? 429 : 400, undefined, notice);
        }
        return page(request, reply, locale, {
          title: words.codeTitle,
          body: codeBody({ words, locale, action: `/me/sign-in/confirm?lang=${locale}`, challengeId: started.challengeId, phone: started.phone, token: formToken(await touchpoints.secret(), 'sign_in', now()), startOver: `/me/sign-in?lang=${locale}`, error: undefined }),
        });
      },
    });
    r.post('/me/sign-in/confirm', {
      schema: {
        tags: ['touchpoints'],
        summary: 'Confirm the sign-in code: a session cookie (httpOnly, SameSite=Lax, 30 days from the last visit) and on to /me',
        security: [],
        querystring: MeQuery,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: { ...redirect, 400: htmlAnswer('The code page again, saying the code was wrong or has expired (or that the form had expired)') },
      },
      handler: async (request, reply) => {
        const locale = localeOf(request);
        const words = pageText[locale];
        if (!(await formGood(request, 'sign_in'))) return expired(request, reply, locale, `/me/sign-in?lang=${locale}`);
        const challengeId = String(request.body.challenge ?? '').slice(0, 60);
        const done = await touchpoints.confirmSignIn(challengeId, String(request.body.code ?? '').slice(0, 20));
        if (typeof done === 'string') {
          const challenge = await touchpoints.challenge(challengeId);
          const error = codeFailureText(words, done, challenge.attemptsLeft);
          if (done !== 'wrong') return page(request, reply, locale, { status: 400, title: words.codeTitle, body: noticeBody(words.codeTitle, error, { href: `/me/sign-in?lang=${locale}`, label: words.startOver }) });
          return page(request, reply, locale, {
            status: 400,
            title: words.codeTitle,
            body: codeBody({ words, locale, action: `/me/sign-in/confirm?lang=${locale}`, challengeId, phone: challenge.phone, token: formToken(await touchpoints.secret(), 'sign_in', now()), error, startOver: `/me/sign-in?lang=${locale}` }),
          });
        }
        reply.setCookie(SESSION_COOKIE, done.token, { path: '/me', httpOnly: true, sameSite: 'lax', secure: cookieMustBeSecure(request), maxAge: done.maxAgeSeconds });
        return reply.redirect(`/me?lang=${locale}`, 303);
      },
    });
    r.get('/me', {
      schema: {
        tags: ['touchpoints'],
        summary: 'The account page: points (available, on their way, expiring), tier and progress, the card\'s barcode and QR, purchases, points history, message preferences',
        security: [],
        querystring: MeQuery,
        produces: ['text/html'],
        response: { 200: pageResponses[200], ...redirect },
      },
      handler: async (request, reply) => {
        const session = await touchpoints.session(request.cookies[SESSION_COOKIE]);
        if (!session) return reply.header('cache-control', 'no-store').redirect(`/me/sign-in${request.query.lang ? `?lang=${encodeURIComponent(request.query.lang)}` : ''}`, 303);
        const locale = localeOf(request, session.customer.locale);
        const words = pageText[locale];
        // The contact policy read once for the view: the program's name in the header, the zone dates are shown in.
        const [account, settings] = await Promise.all([touchpoints.account(session.customer), touchpoints.pageSettings()]);
        const timeZone = session.customer.timezone ?? settings.defaultTimezone;
        const token = formToken(await touchpoints.secret(), `session:${session.hash}`, now());
        return page(request, reply, locale, { brand: settings.programName, title: words.account, script: FISCAL_SCAN, body: accountBody({ words, locale, timeZone, account, token, ...(accountNotices.includes(request.query.done as AccountNotice) ? { notice: request.query.done as AccountNotice } : {}) }) });
      },
    });
    const signedInPost = (path: '/me/preferences' | '/me/topics' | '/me/sign-out' | '/me/receipts' | '/me/feedback' | '/me/profile' | '/me/telegram' | '/me/erase-request', summary: string, act: (session: NonNullable<Awaited<ReturnType<Touchpoints['session']>>>, fields: FormFields, request: FastifyRequest, reply: FastifyReply, locale: PageLocale) => Promise<string>) =>
      r.post(path, {
        schema: { tags: ['touchpoints'], summary, security: [], querystring: MeQuery, body: FormBody, consumes: ['application/x-www-form-urlencoded'], produces: ['text/html'], response: { ...redirect, 400: htmlAnswer('The form had expired or came from another site: a page saying so') } },
        handler: async (request, reply) => {
          const session = await touchpoints.session(request.cookies[SESSION_COOKIE]);
          const locale = localeOf(request, session?.customer.locale);
          if (!session) return reply.redirect(`/me/sign-in?lang=${locale}`, 303);
          if (!(await formGood(request, `session:${session.hash}`))) return expired(request, reply, locale, `/me?lang=${locale}`);
          return reply.redirect(await act(session, request.body, request, reply, locale), 303);
        },
      });
    signedInPost('/me/preferences', 'Save which marketing messages the customer wants, channel by channel (or none): each change is a consent recorded with its evidence', async (session, fields, request, _reply, locale) => {
      const none = fields.none !== undefined;
      const wanted = Object.fromEntries(preferenceChannels.map((channel) => [channel, !none && fields[channel] !== undefined])) as Record<(typeof preferenceChannels)[number], boolean>;
      await touchpoints.setPreferences(session.customer.id, wanted, visitorOf(request, locale));
      return `/me?lang=${locale}&done=saved#preferences`;
    });
    signedInPost('/me/topics', 'Save which topics the customer wants (news, offers …): each topic shown and ticked is kept, each unticked left; each change recorded with its evidence', async (session, fields, request, _reply, locale) => {
      const shown = String(fields.shown ?? '').split(/\s+/).filter(Boolean).slice(0, 200);
      await touchpoints.setTopics(session.customer.id, shown.filter((key) => fields[`topic:${key}`] !== undefined), shown, visitorOf(request, locale));
      return `/me?lang=${locale}&done=saved#topics`;
    });
    signedInPost('/me/receipts', 'Send a fiscal receipt\'s QR text: checked now (a duplicate or a malformed one is said on the page), verified and earned by the fiscal-receipts job', async (session, fields, request, _reply, locale) => {
      const outcome = await touchpoints.submitReceipt(session.customer.id, String(fields.qr ?? '').slice(0, 2000), visitorOf(request, locale)).then(
        () => 'receipt_sent',
        (error: unknown) => {
          if (!(error instanceof AppError)) throw error;
          const byCode: Record<string, AccountNotice> = {
            'fiscal_receipt.duplicate': 'receipt_duplicate',
            'fiscal_receipt.out_of_window': 'receipt_window',
            'fiscal_receipt.not_enabled': 'receipt_off',
          };
          return byCode[error.code] ?? 'receipt_invalid';
        },
      );
      return `/me?lang=${locale}&done=${outcome}#receipts`;
    });
    signedInPost('/me/feedback', 'Write to support from the account page: the message becomes a ticket in the feedback inbox', async (session, fields, _request, _reply, locale) => {
      const text = String(fields.text ?? '').trim();
      if (text === '') return `/me?lang=${locale}&done=feedback_empty#feedback`;
      await touchpoints.writeToSupport(session.customer.id, text.slice(0, 4000));
      return `/me?lang=${locale}&done=feedback_sent#feedback`;
    });
    signedInPost('/me/profile', 'Save the customer\'s own name, e-mail and birth date (an empty field clears it)', async (session, fields, _request, _reply, locale) => {
      const text = (name: string) => String(fields[name] ?? '').slice(0, 254);
      const outcome = await touchpoints
        .updateProfile(session.customer.id, { firstName: text('firstName'), lastName: text('lastName'), email: text('email'), birthDate: text('birthDate') })
        .then(
          () => 'profile_saved',
          (error: unknown) => {
            if (error instanceof AppError && error.status < 500) return 'profile_refused';
            throw error;
          },
        );
      return `/me?lang=${locale}&done=${outcome}#profile`;
    });
    signedInPost('/me/telegram', 'Link Telegram: on to the bot with a one-time link (the chat is linked when the customer presses Start)', async (session, _fields, _request, _reply, locale) =>
      touchpoints.telegramLink(session.customer.id).then(
        (issued) => issued.url,
        (error: unknown) => {
          if (error instanceof AppError && error.status < 500) return `/me?lang=${locale}&done=telegram_off#telegram`;
          throw error;
        },
      ),
    );
    signedInPost('/me/erase-request', 'Ask to delete my data: a ticket for support, tagged erasure-request', async (session, _fields, _request, _reply, locale) => {
      await touchpoints.requestErasure(session.customer.id);
      return `/me?lang=${locale}&done=erase_sent#erase`;
    });
    signedInPost('/me/sign-out', 'Sign out: the session ends and its cookie is cleared', async (session, _fields, _request, reply, locale) => {
      await touchpoints.signOut(session.hash);
      reply.clearCookie(SESSION_COOKIE, { path: '/me' });
      return `/me/sign-in?lang=${locale}`;
    });
  });
}
