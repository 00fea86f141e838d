import { useState } from 'react';
import { Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { AlertRules } from './alert-rules.tsx';
import { FiredAlerts } from './fired-alerts.tsx';
import type { AlertRule, FiredAlert } from './report-types.ts';
import './reports.css';

const text = defineText({
  en: {
    title: 'Alerts',
    intro: 'Rules that watch a key figure every day — in total, by store, register or channel — and alert when it falls below its usual level or leaves its weekday band.',
  },
  ru: {
    title: 'Оповещения',
    intro: 'Правила, которые каждый день следят за показателем — в целом, по магазинам, кассам или каналам — и оповещают, когда он падает ниже обычного или выходит из коридора своего дня недели.',
  },
});

export default function Alerts() {
  const t = useText(text);
  const can = useCan();
  const rules = usePagedList<AlertRule>('/v1/alert-rules', {}, 20);
  const [ruleId, setRuleId] = useState('');
  const alerts = usePagedList<FiredAlert>('/v1/alerts', ruleId ? { ruleId } : {}, 20);
  return (
    <Page title={t('title')} intro={t('intro')}>
      <AlertRules
        list={rules}
        canWrite={can('analytics:write')}
        onAlertsChanged={alerts.reload}
        onDeleted={(id) => {
          if (id === ruleId) setRuleId('');
        }}
      />
      <FiredAlerts list={alerts} rules={rules.items} ruleId={ruleId} onRuleId={setRuleId} />
    </Page>
  );
}
