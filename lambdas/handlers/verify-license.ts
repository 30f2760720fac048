/** Placeholder until the handler lands (issue #3); CDK needs the entry file to exist. */
export async function handler(): Promise<never> {
  throw new Error('verify-license: not implemented yet');
}
