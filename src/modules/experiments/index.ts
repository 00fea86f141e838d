// The experiments module's public face. Other modules (campaign and journey reports) import from
// here only: the lint rule lets them reach no deeper than a module's index.ts.
export * from './stats/index.ts';
