import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS } from './args';
import { printJson } from './output';
import { doctor, formatReport } from './doctor/runner';
import { resolveDoctorTarget } from './doctor/target';

/** `procure doctor`: is this runtime or deployment ready to buy? One line per check, with a fix for each failure. */
export const summary = 'check a deployment (or the local runtime) is ready: secrets, vendor keys, SES, API, rule, state machine, tables';

const USAGE = `usage: procure doctor [--api URL] [--outputs FILE] [--data-dir DIR] [--json]

Checks, read only, that purchases can run: the vendor secrets set and not the placeholder, the
signing key set, each vendor's credentials accepted by a read-only sign-in (for the vendors that
have one; nothing is bought), the SES sender verified and the account out of the sandbox (or every approver
verified), the API answering a signed call, the trigger rule enabled, the state machine and both
tables present. Prints one line per check and a fix under each failure; exits 1 if any failed.
  --outputs FILE   a deployment's stack outputs, written by 'npx cdk deploy --outputs-file FILE'
                   (default cdk-outputs.json when --api is a deployment's URL)
  --api URL        the deployment's API (its ApiUrl output; picks the stack in FILE), or a loopback
                   URL to check the local runtime's API there
  --data-dir DIR   where 'procure local' keeps runtime.json (default .procure): the local runtime
                   is checked unless --outputs or a deployment's --api is given
  --json           {"ok": ..., "checks": [{"name", "ok", "detail", "fix"}]}
Never prints a secret value. AWS calls use the default credential chain (a deployment) or the
local runtime's per-run credentials.`;

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, { ...TARGET_OPTIONS, outputs: { type: 'string' } });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    expectPositionals(positionals, []);
    const target = resolveDoctorTarget({ api: values.api, dataDir: values['data-dir'], outputs: values.outputs });
    const report = await doctor(target);
    if (values.json) printJson({ target: target.kind, source: target.source, apiUrl: target.api.apiUrl, ...report });
    else {
      const heading = `procure doctor: ${target.kind === 'local' ? 'the local runtime' : 'a deployment'} (${target.source}), API ${target.api.apiUrl}`;
      for (const line of formatReport(report, heading)) console.log(line);
    }
    return report.ok ? 0 : 1;
  });
}
