import { useId, type ReactNode } from 'react';

/** Tabs with the ARIA roles (tablist, tab, tabpanel); the chosen one is the caller's state. */
export function Tabs<K extends string>({ tabs, current, onChange, label, children }: { tabs: Array<{ key: K; label: string }>; current: K; onChange: (key: K) => void; label: string; children: ReactNode }) {
  const id = useId();
  return (
    <div>
      <div className="tabs" role="tablist" aria-label={label}>
        {tabs.map((tab) => (
          <button
            key={tab.key}
            type="button"
            role="tab"
            id={`${id}-${tab.key}`}
            aria-selected={tab.key === current}
            aria-controls={`${id}-panel`}
            tabIndex={tab.key === current ? 0 : -1}
            onClick={() => onChange(tab.key)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${current}`}>
        {children}
      </div>
    </div>
  );
}
