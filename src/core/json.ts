/** Reading parsed JSON of unknown shape without throwing: the guards every projection uses. */
export type Obj = Record<string, unknown>;

/** The value as a plain object, or undefined (null, arrays and scalars are not objects here). */
export const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** The value as a plain object, or an empty one: for reads where a missing object means "no fields". */
export const objOrEmpty = (v: unknown): Obj => obj(v) ?? {};

/** The value as an array, or an empty one. */
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
