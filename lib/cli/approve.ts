import { runDecision } from './decision-command';

/** `procure approve <link> [--comment text]`. */
export const summary = 'approve a purchase through its approval link';
export const run = (argv: string[]): Promise<number> => runDecision('approve', argv);
