/** Minimal types for asl-validator (ships none); only what the infra tests call. */
declare module 'asl-validator' {
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  interface AslValidatorResult {
    isValid: boolean;
    errors: Array<{ 'Error code'?: string; Message?: string; [k: string]: unknown }>;
    errorsText?: (separator?: string) => string;
  }
  function validator(definition: unknown, options?: AslValidatorOptions): AslValidatorResult;
  export = validator;
}
