import { expect } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { renderPart, type TemplateLimits } from './engine.ts';
import { sampleTemplateContext } from './sample-context.ts';
import type { CustomerVars, TemplateContext } from './variables.ts';

/** The clock of every test render: 15:30 UTC, 18:30 in Moscow, 01:30 the next day in Vladivostok. */
export const NOW = new Date('2026-03-14T15:30:00Z');

/** The sample context with the customer (and any other variables) changed. */
export function contextWith(customer: Partial<CustomerVars> = {}, rest: Partial<TemplateContext> = {}): TemplateContext {
  return { ...sampleTemplateContext, ...rest, customer: { ...sampleTemplateContext.customer, ...customer } };
}

export function renderText(source: string, context: TemplateContext = sampleTemplateContext, limits?: Partial<TemplateLimits>): string {
  return renderPart(source, context, { escapeHtml: false, now: NOW, limits });
}

export function renderHtml(source: string, context: TemplateContext = sampleTemplateContext): string {
  return renderPart(source, context, { escapeHtml: true, now: NOW });
}

/** The AppError `run` throws; fails the test when it throws none or something else. */
export function appErrorOf(run: () => unknown): AppError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  return thrown as AppError;
}
