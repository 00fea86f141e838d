import { useState } from 'react';
import { Card, ErrorNote, Progress } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { canCheckDraws, checkDraw, type DrawCheck } from './draw-check.ts';
import type { Lottery } from './lottery-types.ts';

const text = defineText({
  en: {
    title: 'Proof of a fair draw',
    algorithm: 'Algorithm',
    commitment: 'Commitment (SHA-256 of the secret seed)',
    seed: 'Seed',
    hidden: 'secret until the draw',
    digest: 'Entries digest (SHA-256 of the frozen entries)',
    entrants: 'Entrants',
    totalEntries: 'Entries in all',
    how: 'How anyone can check this draw',
    step1: 'The commitment was published when the lottery was created ({at}), before any entry counted: Patron could not pick a seed that favours anyone afterwards.',
    step2: 'The draw reveals the seed: its SHA-256 (of its 32 bytes) must equal the commitment.',
    step3: 'The entries the draw froze are listed below by customer id. Written one line per customer as “customer id:entries”, their SHA-256 must equal the entries digest; each customer finds their own line by the id on their account.',
    step4: 'For the k-th prize, HMAC-SHA256 keyed by the seed over the text “k:0” gives a number; modulo the tickets of those who have not won yet it is the winning ticket (a number in the top, uneven range is drawn again with “k:1”, so every ticket is equally likely). The ticket’s holder wins and leaves the draw.',
    step5: 'The command “patron lottery verify {id}” repeats all of this from the public API; docs/lotteries.md has a ten-line script that does it without Patron.',
    check: 'Check the draw in this browser',
    checking: 'Recomputing the draw',
    okCommitment: 'The seed matches the commitment.',
    badCommitment: 'The seed does NOT match the commitment.',
    okOrder: 'The entries are in customer-id order.',
    badOrder: 'The entries are NOT in customer-id order.',
    okDigest: 'The {count} entrants match the entries digest.',
    badDigest: 'The entries do NOT match the entries digest.',
    okWinners: 'Every winner is the one the algorithm gives.',
    badWinners: 'The winners differ from what the algorithm gives: {expected}',
    noCrypto: 'This browser cannot compute SHA-256 here (the console is not on https); use “patron lottery verify”.',
  },
  ru: {
    title: 'Доказательство честного розыгрыша',
    algorithm: 'Алгоритм',
    commitment: 'Обязательство (SHA-256 секретного зерна)',
    seed: 'Зерно',
    hidden: 'секретно до розыгрыша',
    digest: 'Отпечаток участий (SHA-256 зафиксированных участий)',
    entrants: 'Участников',
    totalEntries: 'Всего участий',
    how: 'Как любой может проверить этот розыгрыш',
    step1: 'Обязательство опубликовано при создании розыгрыша ({at}), до того как засчитано хоть одно участие: выбрать зерно в пользу кого-то после этого Patron не может.',
    step2: 'Розыгрыш раскрывает зерно: SHA-256 его 32 байт должен совпасть с обязательством.',
    step3: 'Зафиксированные участия перечислены ниже по идентификатору клиента. Если записать их по строке на клиента как «идентификатор:участия», SHA-256 должен совпасть с отпечатком участий; каждый клиент находит свою строку по идентификатору из своего кабинета.',
    step4: 'Для k-го приза HMAC-SHA256 с зерном в качестве ключа от текста «k:0» даёт число; остаток от деления на число билетов ещё не выигравших — выигрышный билет (число из верхнего неровного диапазона тянется заново с «k:1», так что все билеты равновероятны). Владелец билета выигрывает и выбывает.',
    step5: 'Команда «patron lottery verify {id}» повторяет всё это по публичному API; в docs/lotteries.md есть скрипт из десяти строк, который делает это без Patron.',
    check: 'Проверить розыгрыш в браузере',
    checking: 'Пересчитываем розыгрыш',
    okCommitment: 'Зерно совпадает с обязательством.',
    badCommitment: 'Зерно НЕ совпадает с обязательством.',
    okOrder: 'Участия упорядочены по идентификатору клиента.',
    badOrder: 'Участия НЕ упорядочены по идентификатору клиента.',
    okDigest: 'Участия {count} клиентов совпадают с отпечатком.',
    badDigest: 'Участия НЕ совпадают с отпечатком.',
    okWinners: 'Все победители те, кого даёт алгоритм.',
    badWinners: 'Победители отличаются от тех, кого даёт алгоритм: {expected}',
    noCrypto: 'Этот браузер не может вычислить SHA-256 здесь (консоль открыта не по https); используйте «patron lottery verify».',
  },
});

/** The commitment, and once drawn the seed, the digest and the winners, with how to check them. */
export function LotteryProof({ lottery }: { lottery: Lottery }) {
  const t = useText(text);
  const format = useFormat();
  const [check, setCheck] = useState<DrawCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const drawn = lottery.status === 'drawn' && lottery.seed !== null;

  const run = async () => {
    setChecking(true);
    setError(null);
    try {
      setCheck(await checkDraw(lottery));
    } catch (caught) {
      setError(caught);
    } finally {
      setChecking(false);
    }
  };
  const line = (ok: boolean, good: string, bad: string) => (
    <li className={ok ? 'check-ok' : 'check-bad'}>
      <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
      {ok ? good : bad}
    </li>
  );

  return (
    <Card title={t('title')}>
      <dl className="facts">
        <dt>{t('algorithm')}</dt>
        <dd>
          <code>{lottery.algorithm}</code>
        </dd>
        <dt>{t('commitment')}</dt>
        <dd>
          <span className="hash" data-testid="commitment">{lottery.commitment}</span>
        </dd>
        <dt>{t('seed')}</dt>
        <dd>{lottery.seed ? <span className="hash" data-testid="seed">{lottery.seed}</span> : <span className="muted">{t('hidden')}</span>}</dd>
        {drawn ? (
          <>
            <dt>{t('digest')}</dt>
            <dd>
              <span className="hash" data-testid="entries-digest">{lottery.entriesDigest}</span>
            </dd>
            <dt>{t('entrants')}</dt>
            <dd>{format.number(lottery.entrants ?? 0)}</dd>
            <dt>{t('totalEntries')}</dt>
            <dd>{format.number(lottery.totalEntries ?? 0)}</dd>
          </>
        ) : null}
      </dl>
      <div className="proof">
        <h3>{t('how')}</h3>
        <ol>
          <li>{t('step1', { at: format.dateTime(lottery.createdAt) })}</li>
          <li>{t('step2')}</li>
          <li>{t('step3')}</li>
          <li>{t('step4')}</li>
          <li>{t('step5', { id: lottery.id })}</li>
        </ol>
        {drawn ? (
          canCheckDraws() ? (
            <>
              <button type="button" className="secondary" disabled={checking} onClick={() => void run()}>
                {t('check')}
              </button>
              {checking ? <Progress value={null} label={t('checking')} /> : null}
              <ErrorNote error={error} />
              {check ? (
                <ul className="check-results" aria-live="polite" data-testid="draw-check">
                  {line(check.commitment, t('okCommitment'), t('badCommitment'))}
                  {line(check.order, t('okOrder'), t('badOrder'))}
                  {line(check.digest, t('okDigest', { count: format.number(check.entrants) }), t('badDigest'))}
                  {line(check.winners, t('okWinners'), t('badWinners', { expected: check.expected.join('; ') }))}
                </ul>
              ) : null}
            </>
          ) : (
            <p className="muted">{t('noCrypto')}</p>
          )
        ) : null}
      </div>
    </Card>
  );
}
