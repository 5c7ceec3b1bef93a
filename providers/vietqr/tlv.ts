/** EMVCo's id-length-value encoding: a 2-digit id, a 2-digit length (01–99), then that many characters. */
import { VietQrError } from './errors';

export interface TlvField {
  id: string;
  value: string;
}

export function tlv(id: string, value: string): string {
  if (value.length < 1 || value.length > 99) throw new VietQrError('invalid_input', `field ${id} must hold 1 to 99 characters, got ${value.length}`);
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

/** Splits `text` into fields; `where` names the enclosing field in error messages ("payload", "field 38"). */
export function parseTlv(text: string, where: string): TlvField[] {
  const fields: TlvField[] = [];
  const seen = new Set<string>();
  let at = 0;
  while (at < text.length) {
    const head = text.slice(at, at + 4);
    if (!/^\d{4}$/.test(head)) throw new VietQrError('bad_tlv', `${where}: expected a 2-digit id and 2-digit length at offset ${at}, got ${JSON.stringify(head)}`);
    const id = head.slice(0, 2);
    const length = Number(head.slice(2));
    if (length === 0) throw new VietQrError('bad_tlv', `${where}: field ${id} has length 00`);
    const value = text.slice(at + 4, at + 4 + length);
    if (value.length !== length) throw new VietQrError('bad_tlv', `${where}: field ${id} declares ${length} characters but only ${value.length} remain`);
    if (seen.has(id)) throw new VietQrError('bad_tlv', `${where}: field ${id} appears twice`);
    seen.add(id);
    fields.push({ id, value });
    at += 4 + length;
  }
  return fields;
}
