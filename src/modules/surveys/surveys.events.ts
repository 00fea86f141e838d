import { defineEvents } from '../../platform/outbox.ts';

/**
 * `survey.answered` once per answer (again when a customer replaces their answers), in the
 * answer's transaction: a detractor's score can alert support, free texts become tickets.
 */
export const surveyEvents = defineEvents(['survey.answered'] as const);
export const emitEvents = surveyEvents.emit;
