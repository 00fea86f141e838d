import { useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, Dialog, ErrorNote, Notice } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { navigate } from '../../router.tsx';
import type { Reward } from './rewards-types.ts';

const text = defineText({
  en: {
    title: 'Retire or delete',
    intro: 'Archive a reward to take it off sale for good: its orders and codes stay valid. A reward nobody ordered may be deleted, with its voucher pool.',
    archive: 'Archive the reward',
    archiveTitle: 'Archive “{name}”?',
    archiveText: 'Customers can no longer order it. Orders already made keep their codes and privileges, and can still be cancelled.',
    delete: 'Delete the reward',
    deleteTitle: 'Delete “{name}”?',
    deleteText: 'The reward and its unused vouchers are removed for good. This cannot be undone.',
    inUse: 'Archive it instead: it stays in the books with its orders, and nobody can order it any more.',
    cancel: 'Cancel',
    archived: 'The reward is archived.',
  },
  ru: {
    title: 'Снять с продажи или удалить',
    intro: 'Архивируйте награду, чтобы окончательно снять её с продажи: её заказы и коды остаются в силе. Награду, которую никто не заказывал, можно удалить вместе с ваучерами.',
    archive: 'Архивировать награду',
    archiveTitle: 'Архивировать «{name}»?',
    archiveText: 'Клиенты больше не смогут её заказать. Уже сделанные заказы сохраняют коды и привилегии, их по-прежнему можно отменить.',
    delete: 'Удалить награду',
    deleteTitle: 'Удалить «{name}»?',
    deleteText: 'Награда и её неиспользованные ваучеры будут удалены навсегда. Отменить это нельзя.',
    inUse: 'Архивируйте её: она останется в учёте со своими заказами, и никто больше не сможет её заказать.',
    cancel: 'Отмена',
    archived: 'Награда в архиве.',
  },
});

/** Archive (PATCH status archived) or delete (DELETE) a reward, each after a confirmation. */
export function RewardRemoval({ reward, onArchived }: { reward: Reward; onArchived: () => void }) {
  const t = useText(text);
  const [asking, setAsking] = useState<'archive' | 'delete' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [archived, setArchived] = useState(false);
  const [busy, setBusy] = useState(false);

  const open = (which: 'archive' | 'delete') => {
    setError(null);
    setArchived(false);
    setAsking(which);
  };
  const confirm = async () => {
    setError(null);
    setBusy(true);
    try {
      if (asking === 'archive') {
        await api.patch<Reward>(`/v1/rewards/${reward.id}`, { status: 'archived', version: reward.version });
        setAsking(null);
        setArchived(true);
        onArchived();
      } else {
        const gone = await api.delete<Reward>(`/v1/rewards/${reward.id}`);
        navigate(`/program/rewards?deleted=${encodeURIComponent(gone.name)}`);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const inUse = error instanceof ApiError && error.code === 'reward.in_use';

  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      {archived ? <Notice tone="success">{t('archived')}</Notice> : null}
      <div className="rewards-actions">
        {reward.status !== 'archived' ? (
          <button type="button" className="secondary" onClick={() => open('archive')}>
            {t('archive')}
          </button>
        ) : null}
        <button type="button" className="danger" onClick={() => open('delete')}>
          {t('delete')}
        </button>
      </div>
      <Dialog title={asking === 'archive' ? t('archiveTitle', { name: reward.name }) : t('deleteTitle', { name: reward.name })} open={asking !== null} onClose={() => setAsking(null)}>
        <p>{asking === 'archive' ? t('archiveText') : t('deleteText')}</p>
        <ErrorNote error={error} />
        {inUse ? <p>{t('inUse')}</p> : null}
        <div className="row-actions">
          {inUse && reward.status !== 'archived' ? (
            <button type="button" className="secondary" onClick={() => open('archive')}>
              {t('archive')}
            </button>
          ) : (
            <button type="button" className={asking === 'delete' ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>
              {asking === 'archive' ? t('archive') : t('delete')}
            </button>
          )}
          <button type="button" className="secondary" onClick={() => setAsking(null)}>
            {t('cancel')}
          </button>
        </div>
      </Dialog>
    </Card>
  );
}
