/** Fixed test keys (never used outside tests) and rings built from them. */
import { parseKeyRing } from '../../codec/keys';

export const K1 = Buffer.alloc(32, 0x11).toString('base64');
export const K2 = Buffer.alloc(32, 0x22).toString('base64');

export const ringK1 = () => parseKeyRing(`k1:${K1}`);
/** After rotation: k2 is newest, k1 still decrypts. */
export const ringK2K1 = () => parseKeyRing(`k2:${K2},k1:${K1}`);
