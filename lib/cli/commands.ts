import { VENDORS, vendorLabels } from '../../lambdas/core/vendor-names';

/** The CLI's command table: name -> lazily imported module, so `procure sandbox` never loads the AWS runtime. */
export interface CliCommand {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  local: () => import('./local.js'),
  demo: () => import('./demo.js'),
  submit: () => import('./submit.js'),
  quote: () => import('./quote.js'),
  list: () => import('./list.js'),
  status: () => import('./status.js'),
  audit: () => import('./audit.js'),
  licenses: () => import('./licenses.js'),
  graph: () => import('./graph.js'),
  approve: () => import('./approve.js'),
  reject: () => import('./reject.js'),
  resolve: () => import('./resolve.js'),
  resend: () => import('./resend.js'),
  sandbox: () => import('./sandbox.js'),
  doctor: () => import('./doctor.js'),
};

/** "CoCalc and InterServer": the registry's vendors (lambdas/core/vendor-names.ts, light: no profile, no sandbox). */
const LABELS = vendorLabels();

export function printUsage(): void {
  console.log(`usage: procure <command> [options]    (procure <command> --help for details)

commands:
  local                        run the whole workflow offline on this machine (npm start)
  demo                         buy one license each from ${LABELS} end to end, offline (npm run demo)
  submit <file|->              validate a purchase request and send it (API, or --event for EventBridge)
  quote <file|->               price a purchase request: budget left, approval needed; nothing reserved
  list [--status S] [--since D]
                               purchases, newest first, with who still has to decide
  status <purchaseId>          a purchase's status
  audit <purchaseId>           a purchase's audit trail
  licenses [--vendor V]        the licenses the vendor accounts hold (V: ${VENDORS.join(', ')})
  graph [--purchase ID] [--out F.svg|F.html]
                               draw the synthesized state machine, with a purchase's path marked
  approve <link>               approve a purchase through its approval link
  reject <link> [--comment T]  reject a purchase through its approval link
  resolve <purchaseId> --bought L | --not-bought [--comment T]
                               record what you found at the vendor for a NEEDS_ATTENTION purchase
  resend <purchaseId>          mail fresh approval links for a purchase waiting for a decision
  sandbox <vendor> [options]   run a vendor sandbox on loopback (procure sandbox --help lists them)
  doctor [--api URL] [--outputs FILE]
                               check a deployment (or the local runtime) is ready to buy, with a fix per failure

Network commands use the runtime that 'procure local' (npm start) runs, found through
.procure/runtime.json (--data-dir DIR), or a deployment with --api https://<id>.execute-api.<region>.amazonaws.com/prod.`);
}
