import { useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { giftCardWords } from './gift-card-words.ts';

/** Cards and batches: two pages of one area, linked both ways (not a <nav>: the console's menu is the one navigation landmark). */
export function GiftCardNav({ current }: { current: 'cards' | 'batches' }) {
  const t = useText(giftCardWords);
  const links = [
    { key: 'cards' as const, to: '/program/gift-cards', label: t('cards') },
    { key: 'batches' as const, to: '/program/gift-cards/batches', label: t('batches') },
  ];
  return (
    <p className="gc-nav">
      {links.map((link) => (
        <Link key={link.key} to={link.to} aria-current={link.key === current ? 'page' : undefined}>
          {link.label}
        </Link>
      ))}
    </p>
  );
}
