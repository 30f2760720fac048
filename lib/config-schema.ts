import { z } from 'zod';
import { byVendor } from '../lambdas/core/vendor-names';
import { API_ACCESS_LOG_MODES } from './api-access-log-modes';
import { httpUrl } from './config-fields';
import { csv, json, num } from './context-coercion';
import { MAX_APPROVAL_TIMEOUT_SECONDS } from './execution-timeout';
import { refuseClashes, settingsSchemaShape } from './vendor-settings';

const usd = z.number().min(0);
const capUsd = z.preprocess(num, usd);
const LIST_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What each configuration value may be: the shape, the ranges and the messages a wrong value gets.
 * Context strings are coerced first (context-coercion.ts); unknown keys are refused.
 */
const PROCURE_SHAPE = {
  approverEmails: z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one approver')),
  opsEmails: z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one address (leave it unset for the approvers)')).optional(),
  senderEmail: z.email(),
  approvalBaseUrl: httpUrl.optional(),
  // One cap for each vendor of the registry (lambdas/core/vendors.ts).
  monthlyCapUsd: z.preprocess(json, z.object(byVendor(() => capUsd)).strict()),
  dailyPurchaseLimit: z.preprocess(num, z.number().int().min(0)),
  autoApproveMaxUsd: z.preprocess(num, z.number()),
  approvalTiers: z
    .preprocess(
      json,
      z
        .array(
          z
            .object({
              upToUsd: z.preprocess(num, usd).optional(),
              approvals: z.preprocess(num, z.number().int().min(0)),
              from: z.array(z.string().regex(LIST_NAME, 'must be an approver list name')).min(1).optional(),
            })
            .strict(),
        )
        .min(1, 'needs at least one tier')
        .max(10, 'at most 10 tiers'),
    )
    .optional(),
  approverLists: z
    .preprocess(
      json,
      z.record(z.string().regex(LIST_NAME, 'must be letters, digits, - or _'), z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one address'))),
    )
    .optional(),
  approvalTimeoutSeconds: z.preprocess(
    num,
    // 60 s floor: anything shorter cannot be answered by a human (tests shorten it in the ASL instead).
    z.number().int().min(60).max(MAX_APPROVAL_TIMEOUT_SECONDS),
  ),
  approvalReminderOffsetsSeconds: z
    .preprocess((v) => (v === '' ? [] : csv(json(v))), z.array(z.preprocess(num, z.number().int().min(1))).max(10, 'at most 10 reminders'))
    .optional(),
  approvalEscalationEmails: z.preprocess(csv, z.array(z.email()).min(1, 'needs at least one address (leave it unset for no escalation)')).optional(),
  approvalEscalationDelaySeconds: z.preprocess(num, z.number().int().min(1)).optional(),
  requestEventSource: z
    .string()
    .min(1)
    .max(256)
    // EventBridge reserves "aws." sources for AWS services; PutEvents refuses them.
    .refine((s) => !s.startsWith('aws.'), 'must not start with "aws." (reserved for AWS services)'),
  eventBusName: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[/.\-_A-Za-z0-9]+$/, 'must be an event bus name (not an ARN)'),
  // A whole number of minutes (Scheduler's rate unit), at most a day.
  reconcileIntervalMinutes: z.preprocess(num, z.number().int().min(1).max(1440)),
  apiAccessLogs: z.enum(API_ACCESS_LOG_MODES),
};

// A vendor setting named like one of procure's own keys would replace its check and its value.
refuseClashes(Object.keys(PROCURE_SHAPE), 'key');

/** procure's own keys, then each vendor's settings (its folder's settings.ts, lib/vendor-settings.ts). */
export const procureConfigSchema = z.object({ ...PROCURE_SHAPE, ...settingsSchemaShape() }).strict();
