import { z } from 'zod';

/** An http(s) URL setting (the vendors' endpoints, the approval links' base). */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
