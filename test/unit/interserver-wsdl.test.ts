import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERSERVER_WSDL } from '../../lambdas/vendors/interserver/adapters/interserver-wsdl';
import { orderArgs } from '../../lambdas/vendors/interserver/adapters/ordered-args';
import { interserverWsdlModel, parseWsdl, wsdlOperation } from '../../lambdas/vendors/interserver/adapters/wsdl-model';

/** The bundled WSDL copy, its parsed model, and the one place that orders arguments from it. */
describe('bundled InterServer WSDL', () => {
  // test/fixtures/vendors/interserver-licenses.wsdl is a copy of the vendor notes' reconstructed WSDL
  // (shared/vendors/interserver-licenses.wsdl), kept in the repository so a lone clone can run this.
  it("is a verbatim copy of the vendor notes' WSDL (shared/vendors/interserver-licenses.wsdl)", () => {
    const shared = readFileSync(join(__dirname, '../fixtures/vendors/interserver-licenses.wsdl'), 'utf8');
    expect(INTERSERVER_WSDL).toBe(shared);
    expect(INTERSERVER_WSDL.startsWith('<?xml')).toBe(true); // node-soap reads it as WSDL text only then
  });

  it('parses into 15 operations with input parts in message order (§2)', () => {
    const model = interserverWsdlModel();
    const parts = (op: string) => wsdlOperation(model, op).input.map((p) => `${p.name}:${p.type.local}`);

    expect(model.operations.size).toBe(15);
    expect(parts('api_login')).toEqual(['username:string', 'password:string']);
    expect(parts('api_get_license_types')).toEqual([]);
    expect(parts('api_buy_license_prepay')).toEqual(['sid:string', 'ip:string', 'type:int', 'coupon:string', 'use_prepay:boolean']);
    expect(parts('api_make_payment')).toEqual(['sid:string', 'module:string', 'invoice:int']);
    expect(model.types.get('license_types')).toMatchObject({ kind: 'array', itemType: { local: 'license_type' } });
    expect(model.types.get('buy_license_return')).toMatchObject({
      kind: 'struct',
      fields: [{ name: 'status' }, { name: 'status_text' }, { name: 'invoice' }, { name: 'cost' }],
    });
  });

  it('rejects XML that is not well-formed', () => {
    expect(() => parseWsdl('<definitions><message')).toThrow(/not well-formed/);
  });
});

describe('orderArgs', () => {
  const model = interserverWsdlModel();

  it('rebuilds scrambled arguments in WSDL part order', () => {
    const args = orderArgs(wsdlOperation(model, 'api_buy_license_prepay'), { use_prepay: true, coupon: 'C', type: 5006, ip: '1.2.3.4', sid: 'S' });
    expect(Object.keys(args ?? {})).toEqual(['sid', 'ip', 'type', 'coupon', 'use_prepay']);
    expect(Object.values(args ?? {})).toEqual(['S', '1.2.3.4', 5006, 'C', true]);
  });

  it('returns null for an empty input message, as node-soap requires (§7.3)', () => {
    expect(orderArgs(wsdlOperation(model, 'api_get_license_types'), {})).toBeNull();
  });

  it('refuses a missing or an unexpected argument instead of shifting the others', () => {
    const buy = wsdlOperation(model, 'api_buy_license');
    expect(() => orderArgs(buy, { sid: 'S', ip: '1.2.3.4', type: 5006 })).toThrow('api_buy_license: missing argument coupon');
    expect(() => orderArgs(buy, { sid: 'S', ip: '1.2.3.4', type: 5006, coupon: '', use_prepay: true })).toThrow('unexpected argument(s) use_prepay');
  });
});
