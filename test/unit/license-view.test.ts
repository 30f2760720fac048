import { describe, expect, it } from 'vitest';
import { normalizeCocalcLicense } from '../../lambdas/vendors/cocalc/core/license-view';
import { isLiveInterserverLicense, normalizeInterserverLicense } from '../../lambdas/vendors/interserver/core/license-view';
import type { CocalcManagedLicense } from '../../lambdas/vendors/cocalc/core/ports';
import type { InterserverLicense } from '../../lambdas/vendors/interserver/core/ports';

const now = new Date('2026-07-10T12:00:00Z');
const cocalc: CocalcManagedLicense = {
  id: '6f1c0000-0000-4000-8000-000000000001',
  title: 'my title',
  description: 'my desc',
  created: Date.parse('2026-07-10T11:00:00Z'),
  activates: Date.parse('2026-07-10T10:59:00Z'),
  expires: Date.parse('2026-08-10T23:59:59.999Z'),
  runLimit: 1,
  quota: { ram: 16, cpu: 2, disk: 10, member: true, idle_timeout: 'medium' },
};
const interserver: InterserverLicense = {
  id: 386522,
  type: 5034,
  ip: '1.2.3.4',
  status: 'active',
  orderDate: '2020-01-14 10:48:14',
  hostname: '',
  key: '',
  repeatInvoice: 18704419,
  coupon: 0,
  currency: 'USD',
};

describe('normalized license view', () => {
  it('shows a CoCalc license with its quota, ISO times and a status from its activation window', () => {
    expect(normalizeCocalcLicense(cocalc, now)).toEqual({
      vendor: 'cocalc',
      id: cocalc.id,
      title: 'my title',
      status: 'active',
      target: 'run limit 1 · 16 GB RAM, 2 vCPU, 10 GB disk, member',
      createdAt: '2026-07-10T11:00:00.000Z',
      expiresAt: '2026-08-10T23:59:59.999Z',
    });
  });

  it('calls a CoCalc license pending before it activates and expired once it ends', () => {
    expect(normalizeCocalcLicense({ ...cocalc, activates: now.getTime() + 1 }, now).status).toBe('pending');
    expect(normalizeCocalcLicense({ ...cocalc, expires: now.getTime() }, now).status).toBe('expired');
  });

  it('falls back to the description or a generic title, and copes with missing quota and times', () => {
    const bare = { ...cocalc, title: null, description: null, quota: null, runLimit: null, created: null, expires: null };
    expect(normalizeCocalcLicense(bare, now)).toMatchObject({ title: 'CoCalc site license', target: 'no run limit', createdAt: null, expiresAt: null });
    expect(normalizeCocalcLicense({ ...cocalc, title: ' ' }, now).title).toBe('my desc');
  });

  it("never shows procure's tag line as the title, only the requester's own description", () => {
    const tag = 'procure purchase pur-0123456789abcdef0123456789abcdef';
    expect(normalizeCocalcLicense({ ...cocalc, title: null, description: tag }, now).title).toBe('CoCalc site license');
    expect(normalizeCocalcLicense({ ...cocalc, title: null, description: `my desc\n${tag}` }, now).title).toBe('my desc');
  });

  it('shows an InterServer license with its catalog name, IP and the order date as local ISO time', () => {
    expect(normalizeInterserverLicense(interserver, 'KernelCare License')).toEqual({
      vendor: 'interserver',
      id: '386522',
      title: 'KernelCare License',
      status: 'active',
      target: '1.2.3.4',
      createdAt: '2020-01-14T10:48:14',
      expiresAt: null,
    });
    expect(normalizeInterserverLicense({ ...interserver, hostname: 'web1', orderDate: '' }).title).toBe('InterServer license type 5034');
    expect(normalizeInterserverLicense({ ...interserver, hostname: 'web1' }).target).toBe('1.2.3.4 (web1)');
  });

  it('counts pending and active InterServer licenses as live, canceled and expired ones not', () => {
    expect(isLiveInterserverLicense({ ...interserver, status: 'pending' })).toBe(true);
    expect(isLiveInterserverLicense({ ...interserver, status: 'canceled' })).toBe(false);
    expect(isLiveInterserverLicense({ ...interserver, status: 'expired' })).toBe(false);
  });
});
