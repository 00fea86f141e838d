import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { segmentIds } from './segments.ids.ts';

export const SegmentId = Type.String({ pattern: segmentIds.pattern('seg'), description: 'seg_… id' });
export const SegmentParams = Type.Object({ id: SegmentId });
export const RecomputeParams = Type.Object({ id: SegmentId, recomputeId: Type.String({ pattern: segmentIds.pattern('sgr'), description: 'sgr_… id' }) });

/**
 * The rule tree is checked by the segments module against the fields (plain-word problems naming
 * each place: `rules.all[2].value`); here it is only an object, so the schema does not turn a
 * mistake deep in a tree into a validator's message.
 */
export const Rules = Type.Object({}, {
  additionalProperties: true,
  description: '{"all": [...]}, {"any": [...]}, {"not": {...}} or a condition {"field", "op", "value", ...settings}; GET /v1/segment-fields lists the fields',
});

const segmentFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  rules: Rules,
};

export const SegmentCreate = named('SegmentCreate', Type.Object(segmentFields, { additionalProperties: false }));

export const RecomputeSchema = named('SegmentRecompute', Type.Object({
  id: Type.String(),
  segmentId: Type.String(),
  status: StringEnum(['running', 'completed', 'failed'] as const),
  customers: Type.Integer({ description: 'Active customers when it started' }),
  processed: Type.Integer({ description: 'Customers looked at so far' }),
  entered: Type.Integer(),
  left: Type.Integer(),
  failure: Type.Optional(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
}));

export const SegmentSchema = named('Segment', Type.Object({
  id: Type.String(),
  ...segmentFields,
  memberCount: Type.Integer(),
  computedAt: Type.Union([Type.String(), Type.Null()], { description: 'When the last recompute finished; null before the first' }),
  lastRecompute: Type.Union([RecomputeSchema, Type.Null()]),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

export const SegmentReplacement = named('SegmentReplacement', Type.Object({
  ...segmentFields,
  id: Type.Optional(Type.String({ description: 'As GET answers it: must be the id in the path' })),
  memberCount: Type.Optional(Type.Integer({ description: 'Read-only; ignored' })),
  computedAt: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Read-only; ignored' })),
  lastRecompute: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: 'Read-only; ignored' })),
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 segment.version_conflict' })),
  createdAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
  updatedAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
}, { additionalProperties: false }));

export const SegmentPatch = mergePatchSchema('SegmentPatch', Type.Object({ ...SegmentCreate.properties, version: Type.Integer({ minimum: 1 }) }));

export const SegmentListQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
export const SegmentPage = PageOf('SegmentPage', SegmentSchema);

export const VersionQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 segment.version_conflict' })) },
  { additionalProperties: false },
);

const NullableText = Type.Union([Type.String(), Type.Null()]);
export const MemberSchema = named('SegmentMember', Type.Object({
  customerId: Type.String(),
  enteredAt: Type.String(),
  firstName: NullableText,
  lastName: NullableText,
  phone: Type.Union([Type.String(), Type.Null()], { description: 'Masked for roles that see contacts masked (analyst)' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'Masked for roles that see contacts masked (analyst)' }),
}));
export const MemberQuery = Type.Object({ ...pageQuery({ defaultLimit: 100, maxLimit: 1000 }) }, { additionalProperties: false });
export const MemberPage = PageOf('SegmentMemberPage', MemberSchema);

export const PreviewBody = named('SegmentPreviewRequest', Type.Object({ rules: Rules }, { additionalProperties: false }));
export const PreviewSchema = named('SegmentPreview', Type.Object({
  count: Type.Integer({ description: 'Customers the rules match now' }),
  sample: Type.Array(MemberSchema, { description: 'The first few of them by id (enteredAt: now)' }),
}));

export const ChangeSchema = named('SegmentChange', Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  change: StringEnum(['entered', 'left'] as const),
  cause: StringEnum(['recompute', 'event'] as const, { description: 'event: live membership moved the customer on something that happened; recompute: a recompute did' }),
  at: Type.String(),
}));
export const ChangeQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 100, maxLimit: 1000 }), customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })) },
  { additionalProperties: false },
);
export const ChangePage = PageOf('SegmentChangePage', ChangeSchema);

export const FieldSchema = named('SegmentField', Type.Object({
  key: Type.String(),
  kind: StringEnum(['number', 'text', 'boolean', 'date', 'list', 'json'] as const),
  description: Type.String(),
  operators: Type.Array(Type.String()),
  params: Type.Record(
    Type.String(),
    Type.Object({ required: Type.Boolean(), description: Type.String(), values: Type.Optional(Type.Array(Type.String(), { description: 'The values it takes, when they are a fixed few' })) }),
  ),
  values: Type.Optional(Type.Array(Type.String())),
}));
export const FieldList = named('SegmentFieldList', Type.Object({ fields: Type.Array(FieldSchema, { description: 'Every field, a fixed catalogue (not paged)' }) }));
