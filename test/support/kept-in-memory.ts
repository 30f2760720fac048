/**
 * What the test runtimes keep in memory of emitted events, mails and step histories (the runtime's
 * `keptInMemory`, 100 by default): the tests compare the lengths of `mails` and `emittedEvents`
 * before and after a step, which holds only while neither list drops its oldest.
 */
export const TEST_KEPT_IN_MEMORY = 10_000;
