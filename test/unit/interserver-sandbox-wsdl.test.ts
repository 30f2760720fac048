import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interserverWsdlModel } from '../../lambdas/vendors/interserver/adapters/wsdl-model';
import { readWsdl, sandboxWsdlModel, sandboxWsdlText, type WsdlModel } from '../../lib/local/sandboxes/interserver/wsdl';

/**
 * The InterServer sandbox's own WSDL copy and reader (lib/local/sandboxes/interserver/wsdl.ts),
 * kept apart from procure's adapter so that the sandbox checks the adapter instead of sharing its
 * mistakes. Both must still say what the vendor notes say (interserver-soap.md §2, §3).
 */

describe("the InterServer sandbox's WSDL", () => {
  it("is a verbatim copy of the vendor notes' WSDL (shared/vendors/interserver-licenses.wsdl)", () => {
    // test/fixtures/vendors/ holds the repository's copy of the vendor notes' file.
    const vendorNotes = readFileSync(join(__dirname, '../fixtures/vendors/interserver-licenses.wsdl'), 'utf8');
    expect(sandboxWsdlText()).toBe(vendorNotes);
  });

  it('reads 15 operations with their input parts in message order, from the portType only (§2)', () => {
    const model = sandboxWsdlModel();
    const parts = (op: string) => model.operations.get(op)?.input.map((p) => `${p.name}:${p.type.local}`);

    expect(model.targetNamespace).toBe('urn:myapi');
    expect(model.operations.size).toBe(15);
    expect(parts('api_login')).toEqual(['username:string', 'password:string']);
    expect(parts('api_get_license_types')).toEqual([]);
    expect(parts('api_buy_license_prepay')).toEqual(['sid:string', 'ip:string', 'type:int', 'coupon:string', 'use_prepay:boolean']);
    expect(model.operations.get('api_buy_license')?.output).toEqual([{ name: 'return', type: { uri: 'urn:myapi', local: 'buy_license_return' } }]);
  });

  it('reads structs with their fields in order and SOAP-ENC arrays with their item type (§2 "Complex types")', () => {
    const types = sandboxWsdlModel().types;

    expect(types.get('license_types')).toEqual({ kind: 'array', name: 'license_types', itemType: { uri: 'urn:myapi', local: 'license_type' } });
    const buy = types.get('buy_license_return');
    expect(buy?.kind === 'struct' && buy.fields.map((f) => `${f.name}:${f.type.local}`)).toEqual([
      'status:string',
      'status_text:string',
      'invoice:int',
      'cost:float',
    ]);
  });

  it("agrees with procure's own reading of the same WSDL on every operation and type", () => {
    const plain = (m: Pick<WsdlModel, 'targetNamespace' | 'operations' | 'types'>) =>
      JSON.parse(JSON.stringify({ targetNamespace: m.targetNamespace, operations: [...m.operations], types: [...m.types] })) as unknown;

    expect(plain(sandboxWsdlModel())).toEqual(plain(interserverWsdlModel()));
  });

  it('rejects XML that is not well-formed, and a message it cannot find', () => {
    expect(() => readWsdl('<definitions><message')).toThrow(/not well-formed/);
    const missing =
      '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:x" targetNamespace="urn:x"><portType name="p">' +
      '<operation name="op"><input message="tns:nope"/><output message="tns:nope"/></operation></portType></definitions>';
    expect(() => readWsdl(missing)).toThrow('WSDL: operation op has no input message');
  });
});
