import { defineText } from '../../i18n.tsx';

/** The eleven RFM groups (the API names them in English), and what each means, in both languages. */
export const rfmGroupWords = defineText({
  en: {
    Champions: 'Champions',
    Loyal: 'Loyal',
    'Potential loyalists': 'Potential loyalists',
    New: 'New',
    Promising: 'Promising',
    'Need attention': 'Need attention',
    'About to sleep': 'About to sleep',
    'At risk': 'At risk',
    "Can't lose them": "Can't lose them",
    Hibernating: 'Hibernating',
    Lost: 'Lost',
  },
  ru: {
    Champions: 'Чемпионы',
    Loyal: 'Лояльные',
    'Potential loyalists': 'Потенциально лояльные',
    New: 'Новые',
    Promising: 'Перспективные',
    'Need attention': 'Требуют внимания',
    'About to sleep': 'Засыпающие',
    'At risk': 'В зоне риска',
    "Can't lose them": 'Нельзя потерять',
    Hibernating: 'Спящие',
    Lost: 'Потерянные',
  },
});

export type RfmGroupName = keyof typeof rfmGroupWords.en;
export const knownGroup = (name: string): name is RfmGroupName => name in rfmGroupWords.en;

export const rfmMeaningRu: Record<RfmGroupName, string> = {
  Champions: 'покупали совсем недавно и чаще всех',
  Loyal: 'покупают часто и достаточно недавно',
  'Potential loyalists': 'недавние клиенты, вернувшиеся несколько раз',
  New: 'впервые купили совсем недавно',
  Promising: 'купили один раз, недавно',
  'Need attention': 'средние давность и частота: уйдут, если их не вернуть',
  'About to sleep': 'покупали редко и давно',
  'At risk': 'покупали часто, но давно не возвращались',
  "Can't lose them": 'были среди самых частых покупателей и пропали',
  Hibernating: 'редкие покупатели, давно',
  Lost: 'купили один раз, давно',
};
