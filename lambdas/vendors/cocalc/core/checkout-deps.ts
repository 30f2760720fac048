import type { MoneyStepDeps, StepLog } from '../../../core/money-step';
import type { CocalcGateway } from './ports';

/** What Checkout needs. */
export interface CheckoutDeps extends MoneyStepDeps {
  cocalc: () => Promise<CocalcGateway>;
  /** Where a cart item that could not be restored is logged besides the audit trail; silent when absent. */
  log?: Pick<StepLog, 'warn'>;
}
