import { html, type Html } from '../../platform/pages/html.ts';
import { formatDate, formatMoney, formatNumber, localized, plural, type PageLocale } from '../../platform/pages/i18n.ts';
import { cardCodes } from './card-codes.ts';
import { qrReaderUrl } from './qr-reader.ts';
import type { Touchpoints } from './index.ts';
import type { PageText } from './page-text.ts';
import type { Benefit } from '../promotions/index.ts';

type Account = Awaited<ReturnType<Touchpoints['account']>>;
export const preferenceChannels = ['email', 'sms', 'push', 'messenger'] as const;
export type PreferenceChannel = (typeof preferenceChannels)[number];

const channelWords: Record<PreferenceChannel, 'channelEmail' | 'channelSms' | 'channelPush' | 'channelMessenger'> = {
  email: 'channelEmail',
  sms: 'channelSms',
  push: 'channelPush',
  messenger: 'channelMessenger',
};

/** The account page: points first (what people come for), the card to show at the till, then history and settings. */
/** What a change on the account page says when the page comes back (a code in ?done=). */
export const accountNotices = ['saved', 'profile_saved', 'profile_refused', 'telegram_off', 'erase_sent', 'receipt_sent', 'receipt_duplicate', 'receipt_invalid', 'receipt_window', 'receipt_off', 'feedback_sent', 'feedback_empty'] as const;
export type AccountNotice = (typeof accountNotices)[number];

function noticeOf(words: PageText, notice: AccountNotice): { text: string; ok: boolean } {
  switch (notice) {
    case 'saved': return { text: words.saved, ok: true };
    case 'profile_saved': return { text: words.profileSaved, ok: true };
    case 'profile_refused': return { text: words.profileRefused, ok: false };
    case 'telegram_off': return { text: words.telegramOff, ok: false };
    case 'erase_sent': return { text: words.eraseSent, ok: true };
    case 'receipt_sent': return { text: words.fiscalSent, ok: true };
    case 'receipt_duplicate': return { text: words.fiscalDuplicate, ok: false };
    case 'receipt_invalid': return { text: words.fiscalInvalid, ok: false };
    case 'receipt_window': return { text: words.fiscalWindow, ok: false };
    case 'receipt_off': return { text: words.fiscalOff, ok: false };
    case 'feedback_sent': return { text: words.feedbackSent, ok: true };
    case 'feedback_empty': return { text: words.feedbackEmpty, ok: false };
  }
}

/** What a promotion gives, in a few words of the page's language. */
export function benefitText(words: PageText, locale: PageLocale, benefit: Benefit, currency: string): string {
  const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_all, name: string) => String(values[name] ?? ''));
  const b = words.benefit;
  switch (benefit.kind) {
    case 'percent_off': return fill(b.percentOff, { n: formatNumber(locale, benefit.percentBp / 100) });
    case 'amount_off': return fill(b.amountOff, { money: formatMoney(locale, benefit.amountMinor, currency) });
    case 'n_for_m': return fill(b.nForM, { buy: benefit.buy, pay: benefit.pay });
    case 'buy_x_get_y':
      return benefit.get.percentBp >= 10_000 ? fill(b.buyXGetYFree, { buy: benefit.buy.qty, get: benefit.get.qty }) : fill(b.buyXGetY, { buy: benefit.buy.qty, get: benefit.get.qty, n: formatNumber(locale, benefit.get.percentBp / 100) });
    case 'bundle_price': return fill(b.bundlePrice, { money: formatMoney(locale, benefit.priceMinor, currency) });
    case 'free_item': return fill(b.freeItem, { qty: benefit.qty, sku: benefit.sku });
    case 'points_multiplier': return fill(b.pointsMultiplier, { n: formatNumber(locale, benefit.factor) });
    case 'bonus_points': return fill(b.bonusPoints, { n: formatNumber(locale, benefit.points) });
  }
}

/**
 * The camera scan of a receipt's QR (assets/fiscal-scan.js): hidden until the script finds a
 * camera API, so a browser without one shows the text field alone. The script's words ride on
 * the element, in the page's language.
 */
function scanner(words: PageText): Html {
  const said = {
    starting: words.fiscalScanStarting, looking: words.fiscalScanLooking, read: words.fiscalScanRead, other: words.fiscalScanOther,
    refused: words.fiscalScanRefused, absent: words.fiscalScanAbsent, failed: words.fiscalScanFailed, broken: words.fiscalScanBroken,
  };
  const data = Object.entries(said).map(([name, text]) => html` data-${name}="${text}"`);
  return html`<div class="scan" id="qr-scan" data-reader="${qrReaderUrl}"${data}>
<button class="secondary" type="button" id="qr-scan-start" hidden>${words.fiscalScan}</button>
<div id="qr-scan-box" hidden><video id="qr-scan-video" muted playsinline aria-label="${words.fiscalScanPreview}"></video>
<button class="secondary" type="button" id="qr-scan-stop">${words.fiscalScanStop}</button></div>
<p id="qr-scan-status" role="status"></p>
</div>`;
}

export function accountBody(input: { words: PageText; locale: PageLocale; timeZone: string; account: Account; token: string; notice?: AccountNotice }): Html {
  const { words, locale, account, timeZone } = input;
  const { customer } = account;
  const { balance } = account;
  const points = (n: number) => `${formatNumber(locale, n)} ${plural(locale, Math.abs(n), words.points as readonly [string, string, string])}`;
  const next = balance.tier.progress.next;
  const share = next ? Math.min(100, Math.round((balance.tier.progress.value / Math.max(1, next.threshold)) * 100)) : 100;
  const codes = customer.cardNumber ? cardCodes(customer.cardNumber, words.card) : null;
  const marketing = new Set(account.consents.filter((c) => c.purpose === 'marketing' && c.granted).map((c) => c.channel));
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
  return html`<h1>${words.account}${name ? html`: ${name}` : ''}</h1>
${input.notice ? (() => { const n = noticeOf(words, input.notice); return html`<p class="${n.ok ? 'ok' : 'errors'}" role="${n.ok ? 'status' : 'alert'}">${n.text}</p>`; })() : ''}
<section class="card" aria-labelledby="s-points"><h2 id="s-points">${words.available}</h2>
<p class="big" data-testid="balance">${points(balance.available)}</p>
${balance.pendingPoints > 0 ? html`<div class="row"><span>${words.pending}</span><span>${points(balance.pendingPoints)}</span></div>` : ''}
${balance.expiring ? html`<div class="row"><span>${words.expiring} ${formatDate(locale, balance.expiring.at, timeZone)}</span><span>${points(balance.expiring.points)}</span></div>` : ''}
</section>
<section class="card" aria-labelledby="s-tier"><h2 id="s-tier">${words.tier}: <span data-testid="tier">${balance.tier.name}</span></h2>
${next
  ? html`<progress max="100" value="${share}" aria-label="${words.toNextTier} ${next.name}">${share}%</progress>
<p class="muted">${words.toNextTier} «${next.name}»: ${balance.tier.progress.metric === 'spend' ? `${formatMoney(locale, next.remaining, account.currency)} ${words.ofPurchases}` : points(next.remaining)}</p>`
  : html`<p class="muted">${words.topTier}</p>`}
${balance.tier.privileges.length > 0 ? html`<h3>${words.privileges}</h3><ul>${balance.tier.privileges.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
</section>
${account.codes.length > 0
  ? html`<section class="card" aria-labelledby="s-codes" id="codes"><h2 id="s-codes">${words.codesTitle}</h2><p class="muted">${words.codesHint}</p>
${account.codes.map((c) => html`<div class="row"><span><strong data-testid="promo-code">${c.code}</strong> · ${c.promotion}</span><span>${c.validTo ? `${words.validUntil} ${formatDate(locale, c.validTo, timeZone)}` : ''}</span></div>`)}</section>`
  : ''}
${account.offers.length > 0
  ? html`<section class="card" aria-labelledby="s-offers" id="offers"><h2 id="s-offers">${words.offersTitle}</h2><p class="muted">${words.offersHint}</p>
${account.offers.map((o) => html`<div class="row" data-testid="offer"><span><strong>${o.name}</strong> · ${benefitText(words, locale, o.benefit, account.currency)}</span><span>${o.validTo ? `${words.validUntil} ${formatDate(locale, o.validTo, timeZone)}` : ''}</span></div>`)}</section>`
  : ''}
<section class="card" aria-labelledby="s-card"><h2 id="s-card">${words.card}</h2>
${codes
  ? html`<p class="muted">${words.cardHint}</p><div class="barcode" data-testid="card-barcode">${codes.barcode}</div><div class="qr">${codes.qr}</div>`
  : html`<p class="muted">${words.noCard}</p>`}
</section>
<section class="card" aria-labelledby="s-receipts"><h2 id="s-receipts">${words.receipts}</h2>
${account.receipts.length === 0
  ? html`<p class="muted">${words.noReceipts}</p>`
  : account.receipts.map(
      (r) => html`<div class="row"><span>${formatDate(locale, r.occurredAt, timeZone)}</span><span>${formatMoney(locale, r.total, r.currency)}</span><span>${r.pointsEarned > 0 ? `+${formatNumber(locale, r.pointsEarned)}` : ''}${r.pointsRedeemed > 0 ? ` −${formatNumber(locale, r.pointsRedeemed)}` : ''}</span></div>`,
    )}
</section>
<section class="card" aria-labelledby="s-ledger"><h2 id="s-ledger">${words.pointsHistory}</h2>
${account.ledger.length === 0
  ? html`<p class="muted">${words.noPoints}</p>`
  : account.ledger.map((e) => {
      const delta = e.available + e.pending;
      // What kind of movement, in the customer's language: the entry's reason is the staff's or the system's note, not theirs to read.
      const kind = words.ledgerKind[e.kind as keyof PageText['ledgerKind']];
      return html`<div class="row"><span>${formatDate(locale, e.at, timeZone)}${kind ? html` · ${kind}` : ''}</span><span>${delta > 0 ? '+' : delta < 0 ? '−' : ''}${formatNumber(locale, Math.abs(delta))}</span></div>`;
    })}
</section>
<section class="card" aria-labelledby="s-profile" id="profile"><h2 id="s-profile">${words.profile}</h2>
<form method="post" action="/me/profile?lang=${locale}">
<input type="hidden" name="form" value="${input.token}">
<label for="p-firstName">${words.firstName}</label><input id="p-firstName" name="firstName" type="text" maxlength="100" autocomplete="given-name" value="${customer.firstName ?? ''}">
<label for="p-lastName">${words.lastName}</label><input id="p-lastName" name="lastName" type="text" maxlength="100" autocomplete="family-name" value="${customer.lastName ?? ''}">
<label for="p-email">${words.email}</label><input id="p-email" name="email" type="email" maxlength="254" autocomplete="email" value="${customer.email ?? ''}">
<label for="p-birthDate">${words.birthDate}</label><input id="p-birthDate" name="birthDate" type="date" autocomplete="bday" value="${customer.birthDate ?? ''}">
<button type="submit">${words.save}</button>
</form>
</section>
${account.referral
  ? html`<section class="card" aria-labelledby="s-referral"><h2 id="s-referral">${words.referralTitle}</h2><p class="muted">${words.referralHint}</p>
<p>${words.referralCode}: <strong data-testid="referral-code">${account.referral.code}</strong></p>${account.referral.link ? html`<p><a href="${account.referral.link}">${account.referral.link}</a></p>` : ''}</section>`
  : ''}
<section class="card" aria-labelledby="s-preferences" id="preferences"><h2 id="s-preferences">${words.preferences}</h2>
<p class="muted">${words.preferencesHint}</p>
<form method="post" action="/me/preferences?lang=${locale}">
<input type="hidden" name="form" value="${input.token}">
${preferenceChannels.map(
  (channel) => html`<label class="check" for="pref-${channel}"><input type="checkbox" id="pref-${channel}" name="${channel}" value="yes"${marketing.has(channel) || marketing.has('all') ? html` checked` : ''}><span>${words[channelWords[channel]]}</span></label>`,
)}
<button type="submit">${words.save}</button>
</form>
<form method="post" action="/me/preferences?lang=${locale}">
<input type="hidden" name="form" value="${input.token}"><input type="hidden" name="none" value="yes">
<button class="secondary wide" type="submit">${words.unsubscribeAll}</button>
</form>
</section>
${account.topics.length > 0
  ? html`<section class="card" aria-labelledby="s-topics" id="topics"><h2 id="s-topics">${words.topicsTitle}</h2>
<p class="muted">${words.topicsHint}</p>
<form method="post" action="/me/topics?lang=${locale}">
<input type="hidden" name="form" value="${input.token}"><input type="hidden" name="shown" value="${account.topics.map((topic) => topic.key).join(' ')}">
${account.topics.map(
  (topic) => html`<label class="check" for="topic-${topic.key}"><input type="checkbox" id="topic-${topic.key}" name="topic:${topic.key}" value="yes"${topic.subscribed ? html` checked` : ''}><span>${localized(topic.name, locale)}${localized(topic.description, locale) ? html`<br><small class="muted">${localized(topic.description, locale)}</small>` : ''}</span></label>`,
)}
<button type="submit">${words.save}</button>
</form>
</section>`
  : ''}
<section class="card" aria-labelledby="s-fiscal" id="receipts"><h2 id="s-fiscal">${words.fiscalTitle}</h2>
<p class="muted" id="h-qr">${words.fiscalHint}</p>
<form method="post" action="/me/receipts?lang=${locale}">
<input type="hidden" name="form" value="${input.token}">
${scanner(words)}
<label for="f-qr">${words.fiscalLabel}</label>
<input id="f-qr" name="qr" type="text" inputmode="url" autocomplete="off" aria-describedby="h-qr" required>
<button type="submit">${words.fiscalSend}</button>
</form>
${account.fiscalReceipts.map(
  (r) => html`<div class="row"><span>${formatDate(locale, r.purchasedAt, timeZone)} · ${formatMoney(locale, r.totalMinor, account.currency)}</span><span>${words.fiscalStatus[r.status as keyof PageText['fiscalStatus']] ?? r.status}${r.points ? ` +${formatNumber(locale, r.points)}` : ''}</span></div>`,
)}
</section>
<section class="card" aria-labelledby="s-feedback" id="feedback"><h2 id="s-feedback">${words.feedbackTitle}</h2>
<form method="post" action="/me/feedback?lang=${locale}">
<input type="hidden" name="form" value="${input.token}">
<label for="f-message">${words.feedbackLabel}</label>
<textarea id="f-message" name="text" maxlength="4000" required></textarea>
<button type="submit">${words.feedbackSend}</button>
</form>
</section>
<section class="card" aria-labelledby="s-telegram" id="telegram"><h2 id="s-telegram">${words.telegramTitle}</h2><p class="muted">${words.telegramHint}</p>
<form method="post" action="/me/telegram?lang=${locale}"><input type="hidden" name="form" value="${input.token}"><button class="secondary" type="submit">${words.telegramLink}</button></form>
</section>
<section class="card" aria-labelledby="s-erase" id="erase"><h2 id="s-erase">${words.eraseTitle}</h2><p class="muted">${words.eraseHint}</p>
<form method="post" action="/me/erase-request?lang=${locale}"><input type="hidden" name="form" value="${input.token}"><button class="secondary" type="submit">${words.eraseButton}</button></form>
</section>
<form method="post" action="/me/sign-out?lang=${locale}"><input type="hidden" name="form" value="${input.token}"><button class="secondary" type="submit">${words.signOut}</button></form>`;
}
