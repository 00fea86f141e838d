import { defineText } from '../../i18n.tsx';

/** A lottery's status in words, shared by the list and the lottery's page. */
export const statusWords = defineText({
  en: { upcoming: 'upcoming', open: 'taking entries', closed: 'ended, awaiting the draw', drawn: 'drawn', cancelled: 'cancelled' },
  ru: { upcoming: 'ещё не начался', open: 'идёт приём участий', closed: 'завершён, ждёт розыгрыша', drawn: 'разыгран', cancelled: 'отменён' },
});
