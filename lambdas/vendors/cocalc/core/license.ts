import * as z from '../../../core/zod';
import { multiLineText, singleLineText } from '../../../core/safe-text';

/**
 * CoCalc site-license description (shared/vendors/cocalc-api-v2.md §4.2). The vendor stores any JSON
 * verbatim and warns that nonsense in a cart can break an account, so procure validates strictly
 * (unknown fields rejected, the store's UI limits enforced) before anything is sent.
 */
export const COCALC_LIMITS = {
  regular: { ram: [4, 16], cpu: [1, 3], disk: [10, 15] },
  boost: { ram: [0, 15], cpu: [0, 2], disk: [0, 5] },
  maxRunLimit: 10_000,
} as const;

const isoDate = z.iso.datetime({ offset: true });

export const siteLicenseDescriptionSchema = z
  .strictObject({
    type: z._default(z.literal('quota'), 'quota'),
    user: z.enum(['academic', 'business']),
    period: z.enum(['monthly', 'yearly', 'range']),
    range: z.optional(z.tuple([isoDate, isoDate])),
    run_limit: z.number().check(z.int(), z.gte(1), z.lte(COCALC_LIMITS.maxRunLimit)),
    ram: z.number().check(z.int()),
    cpu: z.number().check(z.int()),
    disk: z.number().check(z.int()),
    member: z.boolean(),
    uptime: z.enum(['short', 'medium', 'day', 'always_running']),
    boost: z._default(z.boolean(), false),
    always_running: z.optional(z.boolean()),
    title: z.optional(singleLineText('title', { max: 200 })),
    description: z.optional(multiLineText('description', { max: 2000 })),
    source: z.optional(z.enum(['site-license', 'course'])),
  })
  .check(
    z.superRefine((d, ctx) => {
      const limits = d.boost ? COCALC_LIMITS.boost : COCALC_LIMITS.regular;
      for (const field of ['ram', 'cpu', 'disk'] as const) {
        const [min, max] = limits[field];
        if (d[field] < min || d[field] > max) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `${field} must be between ${min} and ${max} for a ${d.boost ? 'boost' : 'regular'} license`,
          });
        }
      }
      if (d.period === 'range') {
        if (!d.range) {
          ctx.addIssue({ code: 'custom', path: ['range'], message: 'range is required when period is "range"' });
        } else if (Date.parse(d.range[1]) <= Date.parse(d.range[0])) {
          ctx.addIssue({ code: 'custom', path: ['range'], message: 'end date must be after start date' });
        }
      } else if (d.range) {
        ctx.addIssue({ code: 'custom', path: ['range'], message: 'range is only allowed when period is "range"' });
      }
      if ((d.uptime === 'day' || d.uptime === 'always_running') && !d.member) {
        // The vendor silently forces member hosting here (§5 requiresMemberhosting); make it explicit.
        ctx.addIssue({ code: 'custom', path: ['member'], message: `uptime "${d.uptime}" requires member: true` });
      }
    }),
  );

export type SiteLicenseDescription = z.output<typeof siteLicenseDescriptionSchema>;

/** Why a `range` license cannot be bought at `now` (its end is not in the future), or undefined. */
export function rangeEndIssue(d: Pick<SiteLicenseDescription, 'period' | 'range'>, now: Date): string | undefined {
  if (d.period !== 'range' || !d.range) return undefined;
  return Date.parse(d.range[1]) > now.getTime() ? undefined : `range must end in the future (it ends ${d.range[1]})`;
}
