import { runDecision } from './decision-command';

/** `procure reject <link> [--comment text]`. */
export const summary = 'reject a purchase through its approval link';
export const run = (argv: string[]): Promise<number> => runDecision('reject', argv);
