/** The Sender port and thread references live in src/ports.ts (neutral); re-exported for the adapters. */
export type { DeliveryListener, Sender, ThreadRef, ThreadStore } from '../../ports.js';
