/** A store as GET /v1/stores answers it: the till sends its id with every receipt. */
export type Store = { id: string; name: string; region: string | null; timezone: string; active: boolean };

/** A custom customer attribute as GET /v1/customer-attributes answers it. */
export type AttributeType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'enum';
export const attributeTypes: AttributeType[] = ['string', 'number', 'integer', 'boolean', 'date', 'enum'];
export type AttributeDefinition = { key: string; type: AttributeType; label: string; options: string[] | null; personal: boolean };
