import { describe, expect, it } from 'vitest';
import { unwrapSoap } from '../../lambdas/vendors/interserver/adapters/unwrap';

/** The shapes node-soap 1.13 produces from NuSOAP responses (interserver-soap.md §7.1-2). */
const typed = (type: string, value?: unknown) =>
  value === undefined ? { attributes: { 'xsi:type': type } } : { attributes: { 'xsi:type': type }, $value: value };
const arrayAttrs = (n: number) => ({ 'xsi:type': 'SOAP-ENC:Array', 'SOAP-ENC:arrayType': `tns:license_type[${n}]` });
const row = (id: number) => ({ attributes: { 'xsi:type': 'tns:license_type' }, services_id: typed('xsd:int', id), services_cost: typed('xsd:float', 3) });

describe('unwrapSoap', () => {
  it('takes $value from typed scalars and turns an empty element into ""', () => {
    expect(unwrapSoap(typed('xsd:string', 'e720445786c7735aa64392f987db2fad'))).toBe('e720445786c7735aa64392f987db2fad');
    expect(unwrapSoap(typed('xsd:string'))).toBe('');
    expect(unwrapSoap({ status: typed('xsd:string', 'error'), invoice: typed('xsd:int'), cost: typed('xsd:float', 34.95) })).toEqual({
      status: 'error',
      invoice: '',
      cost: 34.95,
    });
  });

  it('turns a SOAP-ENC array with no, one or several items into an array', () => {
    expect(unwrapSoap({ attributes: arrayAttrs(0) })).toEqual([]);
    expect(unwrapSoap({ attributes: arrayAttrs(1), item: row(1) })).toEqual([{ services_id: 1, services_cost: 3 }]);
    expect(unwrapSoap({ attributes: arrayAttrs(2), item: [row(1), row(2)] })).toEqual([
      { services_id: 1, services_cost: 3 },
      { services_id: 2, services_cost: 3 },
    ]);
  });

  it('recognises arrays whatever prefixes the server used', () => {
    expect(unwrapSoap({ attributes: { 'soapenc:arrayType': 'xsd:string[0]' } })).toEqual([]);
    expect(unwrapSoap({ attributes: { 'xsi:type': 'enc:Array' } })).toEqual([]);
  });

  it('keeps booleans and null-ish values plain', () => {
    expect(unwrapSoap(typed('xsd:boolean', false))).toBe(false);
    expect(unwrapSoap(undefined)).toBeNull();
    expect(unwrapSoap({ status_text: null })).toEqual({ status_text: null });
  });
});
