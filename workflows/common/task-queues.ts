/** Task queues: workflows on one, each provider's activities on its own (its rate limit is enforced server-side). */
export const WORKFLOW_TASK_QUEUE = 'dongflow';
export const FINAN_TASK_QUEUE = 'dongflow-finan';
export const TINGEE_TASK_QUEUE = 'dongflow-tingee';
/** Every SePay call (token endpoint included): SePay allows 3 requests per second, enforced on this queue. */
export const SEPAY_TASK_QUEUE = 'dongflow-sepay';
