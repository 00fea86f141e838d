import { defineErrors } from '../../platform/errors.ts';

export const segmentErrors = defineErrors({
  'segment.not_found': { status: 404, title: 'Segment not found' },
  'segment.invalid': { status: 400, title: 'The segment is not valid' },
  'segment.version_conflict': { status: 409, title: 'The segment was changed since it was read' },
  'segment.name_taken': { status: 409, title: 'Another segment has that name' },
  'segment.in_use': { status: 409, title: 'The segment is in use' },
  'segment.recompute_not_found': { status: 404, title: 'Recompute not found' },
  'rfm.run_not_found': { status: 404, title: 'RFM run not found' },
  'rfm.not_computed': { status: 404, title: 'RFM has not been computed yet' },
});
export const segmentError = segmentErrors.error;
