/** Reading parsed JSON of unknown shape without throwing: the guards every projection uses. */
export type Obj = Record<string, unknown>;

/** Whether the value is a plain object (null, arrays and scalars are not): the one object guard. */
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value as a plain object, or undefined (null, arrays and scalars are not objects here). */
export const obj = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);

/** The value as a plain object, or an empty one: for reads where a missing object means "no fields". */
export const objOrEmpty = (v: unknown): Obj => obj(v) ?? {};

/** The value as an array, or an empty one. */
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The value as a non-empty string, or undefined. */
export const nonEmptyString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
