/** Task queues: workflows on one, each provider's activities on its own (its rate limit is enforced server-side). */
export const WORKFLOW_TASK_QUEUE = 'dongflow';
export const FINAN_TASK_QUEUE = 'dongflow-finan';
export const TINGEE_TASK_QUEUE = 'dongflow-tingee';
