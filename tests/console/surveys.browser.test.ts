import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The survey pages in Chromium: a marketer builds an NPS survey (refused in words first, then
 * questions added, reordered and removed), opens it, and an answer sent through its public link
 * shows in the page's answers; the NPS report opens from the survey; an analyst reads the answers
 * with contacts masked and sees no action; a draft is deleted; Russian.
 */
let h: ConsoleHarness;
let surveyId = '';

const ok = async (request: Parameters<ConsoleHarness['t']['call']>[0], status = 200) => {
  const response = await h.t.call(request);
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
};

beforeAll(async () => {
  h = await startConsole();
  // The public links point at this test server.
  await ok({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: h.base } });
}, 120_000);
afterAll(async () => h?.close());

describe('the survey pages', () => {
  it('a marketer builds an NPS survey, opens it, and an answer through the public link shows in its answers', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/surveys' });
    await page.getByRole('heading', { level: 1, name: 'Surveys' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Surveys', exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No survey yet');
    await page.getByRole('link', { name: 'New survey' }).click();
    await page.getByRole('heading', { level: 1, name: 'New survey' }).waitFor();

    // No text at all: the server's words stand at the title and at the question.
    await page.getByRole('button', { name: 'Create the survey' }).click();
    await expect.poll(() => page.locator('.field.invalid').count()).toBe(2);
    expect(await page.getByLabel('Title in Russian').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('main').textContent()).toContain('needs a text in Russian (ru) or English (en)');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Title in Russian').fill('Оцените нас');
    await page.getByLabel('Title in English').fill('Rate us');
    await page.getByLabel('Target number of answers').fill('250');
    await page.getByLabel('Question 1 in English', { exact: true }).fill('Would you recommend us to a friend?');
    await page.getByLabel('Question 1 in Russian', { exact: true }).fill('Порекомендуете ли вы нас друзьям?');
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByLabel('Question 2 in English', { exact: true }).fill('What should we improve?');
    await page.getByLabel('Question 2 must be answered').uncheck();
    await page.getByLabel('Longest answer in characters (question 2)').fill('500');
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByLabel('Type of question 3').selectOption('single_choice');
    await page.getByLabel('Question 3 in English', { exact: true }).fill('What do you buy most?');
    await page.getByLabel('Option 1 of question 3 in English').fill('Coffee');
    await page.getByLabel('Option 2 of question 3 in English').fill('Tea');
    await page.getByRole('button', { name: 'Add an option to question 3' }).click();
    await page.getByLabel('Option 3 of question 3 in English').fill('Cake');
    await page.getByRole('button', { name: 'Move question 3 up' }).click();
    expect(await page.getByLabel('Question 2 in English', { exact: true }).inputValue()).toBe('What do you buy most?');
    // A fourth question, thought better of.
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByRole('button', { name: 'Remove question 4' }).click();
    expect(await page.getByLabel('Question 4 in English', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Create the survey' }).click();

    await page.getByRole('heading', { level: 1, name: 'Rate us' }).waitFor();
    surveyId = page.url().split('/surveys/')[1]!.split('?')[0]!;
    const stored = await ok({ method: 'GET', url: `/v1/surveys/${surveyId}` });
    expect(stored).toMatchObject({ kind: 'nps', status: 'draft', title: { ru: 'Оцените нас', en: 'Rate us' }, targetRespondents: 250, publicLink: true });
    expect(stored.questions.map((q: { id: string; type: string }) => `${q.id} ${q.type}`)).toEqual(['q1 nps', 'q2 single_choice', 'q3 text']);
    expect(stored.questions[1].options.map((o: { text: { en: string } }) => o.text.en)).toEqual(['Coffee', 'Tea', 'Cake']);
    expect(stored.questions[2]).toMatchObject({ required: false, maxLength: 500 });
    expect(await page.getByRole('main').textContent()).toContain('A draft takes no answers');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Open for answers' }).click();
    await page.getByText('The survey is open: it takes answers now.').waitFor();
    expect((await ok({ method: 'GET', url: `/v1/surveys/${surveyId}` })).status).toBe('open');
    const link = await page.getByLabel('The survey’s public link').inputValue();
    expect(link).toBe(`${h.base}/s/p/${surveyId}`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No answers yet');

    // A customer answers through the public link, in a page of their own.
    const answering = await context.newPage();
    await answering.goto(`${link}?lang=en`);
    await answering.getByLabel('9', { exact: true }).check();
    await answering.getByLabel('Tea', { exact: true }).check();
    await answering.getByRole('textbox', { name: 'What should we improve?' }).fill('Oat milk, please');
    await answering.getByRole('button', { name: 'Send' }).click();
    await answering.getByText('Thank you for your answers!').waitFor();
    await answering.close();

    await page.reload();
    const answers = page.getByRole('table', { name: 'Answers, newest first' });
    await expect.poll(() => answers.getByRole('row').count()).toBe(2);
    const cells = await answers.getByRole('row').nth(1).getByRole('cell').allTextContents();
    expect(cells[1]).toBe('anonymous');
    expect(cells[2]).toBe('public link');
    expect(cells[3]).toBe('9');
    expect(cells[4]).toContain('What do you buy most?Tea');
    expect(cells[4]).toContain('Oat milk, please');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('NPS 100 ± 0');
    expect((await ok({ method: 'GET', url: `/v1/surveys/${surveyId}/responses` })).items).toMatchObject([{ channel: 'public', score: 9, answers: { q1: 9, q2: 'o2', q3: 'Oat milk, please' } }]);
    expect(await seriousViolations(page)).toEqual([]);

    // Its NPS report, one click away.
    await page.getByRole('link', { name: 'NPS and its trend in Analytics' }).click();
    await page.getByRole('heading', { level: 2, name: 'NPS of "Rate us"' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an analyst reads the answers with contacts masked and sees no action; the marketer sees them whole', async () => {
    const customer = await ok({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161234567' } }, 201);
    await ok({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: customer.id, answers: { q1: 4, q2: 'o1', q3: 'Call me at +79161234567' } } }, 201);

    const { page, context, problems } = await h.signIn('analyst', { path: `/surveys/${surveyId}` });
    await page.getByRole('heading', { level: 1, name: 'Rate us' }).waitFor();
    const answers = page.getByRole('table', { name: 'Answers, newest first' });
    await expect.poll(() => answers.getByRole('row').count()).toBe(3);
    expect(await answers.textContent()).toContain('Call me at');
    expect(await answers.textContent()).not.toContain('+79161234567');
    for (const name of ['Change', 'Open for answers', 'Close', 'Delete', 'Turn the public link off']) expect(await page.getByRole('button', { name }).or(page.getByRole('link', { name, exact: true })).count()).toBe(0);
    expect(await page.getByLabel('The survey’s public link').count()).toBe(1);
    await page.goto(`${h.base}/console/surveys`);
    await page.getByRole('heading', { level: 1, name: 'Surveys' }).waitFor();
    expect(await page.getByRole('link', { name: 'New survey' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();

    const marketer = await h.signIn('marketer', { path: `/surveys/${surveyId}` });
    await expect.poll(() => marketer.page.getByRole('table', { name: 'Answers, newest first' }).textContent()).toContain('Call me at +79161234567');
    // Closing it: the survey takes no more answers.
    await marketer.page.getByRole('button', { name: 'Close' }).click();
    await marketer.page.getByText('The survey is closed: it takes no more answers.').waitFor();
    expect((await ok({ method: 'GET', url: `/v1/surveys/${surveyId}` })).status).toBe('closed');
    await marketer.context.close();
  });

  it('deletes a survey nobody answered, after asking; the form keeps a survey with answers to its questions', async () => {
    const draft = await ok({ method: 'POST', url: '/v1/surveys', payload: { kind: 'csat', title: { en: 'How was the delivery?' }, questions: [{ type: 'rating', text: { en: 'Rate the delivery' } }] } }, 201);
    const { page, context, problems } = await h.signIn('marketer', { path: `/surveys/${surveyId}/edit` });
    await page.getByText('The survey has answers').waitFor();
    expect(await page.getByLabel('Question 1 in English', { exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Title in English').fill('Rate our shop');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rate our shop' }).waitFor();

    await page.goto(`${h.base}/console/surveys/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: 'How was the delivery?' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('1 to 5');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete the survey?' }).getByRole('button', { name: 'Delete for good' }).click();
    await page.getByText('The survey “How was the delivery?” is deleted.').waitFor();
    expect((await h.t.call({ method: 'GET', url: `/v1/surveys/${draft.id}` })).statusCode).toBe(404);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('builds a privilege-ranking survey with a rating and several choices; a rating the wrong way round is refused in words', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/surveys/new' });
    await page.getByRole('heading', { level: 1, name: 'New survey' }).waitFor();
    await page.getByLabel('Kind').selectOption('privilege_ranking');
    await page.getByLabel('Title in English').fill('Which privilege matters most?');
    await page.getByLabel('Type of question 1').selectOption('ranking');
    await page.getByLabel('Question 1 in English', { exact: true }).fill('Rank them, best first');
    await page.getByLabel('Option 1 of question 1 in English').fill('Free coffee');
    await page.getByLabel('Option 1 of question 1 in Russian').fill('Кофе в подарок');
    await page.getByLabel('Option 2 of question 1 in English').fill('Parking');
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByLabel('Type of question 2').selectOption('rating');
    await page.getByLabel('Question 2 in English', { exact: true }).fill('How was your last visit?');
    await page.getByLabel('Lowest value (question 2)').fill('5');
    await page.getByLabel('Highest value (question 2)').fill('1');
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByLabel('Type of question 3').selectOption('multiple_choice');
    await page.getByLabel('Question 3 in English', { exact: true }).fill('Where do you shop?');
    await page.getByLabel('Option 1 of question 3 in English').fill('In store');
    await page.getByLabel('Option 2 of question 3 in English').fill('Online');
    await page.getByRole('button', { name: 'Create the survey' }).click();
    await expect.poll(() => page.locator('.field.invalid').textContent()).toContain('must be above min (5) by 1 to 20');
    expect(await page.getByLabel('Highest value (question 2)').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Lowest value (question 2)').fill('1');
    await page.getByLabel('Highest value (question 2)').fill('10');
    await page.getByRole('button', { name: 'Create the survey' }).click();
    await page.getByRole('heading', { level: 1, name: 'Which privilege matters most?' }).waitFor();
    const id = page.url().split('/surveys/')[1]!.split('?')[0]!;
    const stored = await ok({ method: 'GET', url: `/v1/surveys/${id}` });
    expect(stored.kind).toBe('privilege_ranking');
    expect(stored.questions).toMatchObject([
      { id: 'q1', type: 'ranking', options: [{ id: 'o1', text: { en: 'Free coffee', ru: 'Кофе в подарок' } }, { id: 'o2', text: { en: 'Parking' } }] },
      { id: 'q2', type: 'rating', min: 1, max: 10 },
      { id: 'q3', type: 'multiple_choice', options: [{ text: { en: 'In store' } }, { text: { en: 'Online' } }] },
    ]);
    // Answers by the API show by their options' texts, a ranking in its order.
    await ok({ method: 'PATCH', url: `/v1/surveys/${id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { status: 'open' } });
    await ok({ method: 'POST', url: `/v1/surveys/${id}/responses`, payload: { answers: { q1: ['o2', 'o1'], q2: 8, q3: ['o1', 'o2'] } } }, 201);
    await page.reload();
    const row = page.getByRole('table', { name: 'Answers, newest first' }).getByRole('row').nth(1);
    await expect.poll(() => row.textContent()).toContain('Parking › Free coffee');
    expect(await row.textContent()).toContain('In store, Online');
    // The results so far, as the report route counts them.
    const report = await ok({ method: 'GET', url: `/v1/surveys/${id}/report` });
    expect(report.questions[0].ranking.options[0]).toMatchObject({ optionId: 'o2', meanRank: 1, firstChoices: 1 });
    const results = await page.getByRole('heading', { level: 2, name: 'Results so far' }).locator('xpath=..').locator('xpath=..').textContent();
    expect(results).toContain('Parking: mean rank 1, first for 1Free coffee: mean rank 2, first for 0');
    expect(results).toContain('Mean 8');
    expect(results).toContain('In store: 1 · 100%');
    expect(await page.getByRole('main').textContent()).toContain('The NPS report shows NPS surveys');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('speaks Russian: the menu, the list and the survey with its answers', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/surveys', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Опросы' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Опросы', exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: 'Опросы, сначала новые' }).textContent()).toContain('Оцените нас');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Оцените нас' }).click();
    await page.getByRole('heading', { level: 1, name: 'Оцените нас' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Ответы, сначала новые' }).textContent()).toContain('публичную ссылку');
    expect(await page.getByRole('main').textContent()).toContain('Порекомендуете ли вы нас друзьям?');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Изменить' }).click();
    await page.getByRole('heading', { level: 1, name: 'Изменить опрос' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
