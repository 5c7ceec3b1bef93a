/** Payment calls and controls for the sandbox tests, on top of the deliberately small signing client. */
import { FINAN_LOW_BALANCE_ACCOUNT_ID, FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { finanClient, sandboxControls } from './finan-test-client';

export { FINAN_LOW_BALANCE_ACCOUNT_ID, FINAN_SOURCE_ACCOUNT_ID };

/** The payments page's create example, verbatim (its account_id is the sandbox's Shinhan source account). */
export const PAGE_EXAMPLE_PAYMENT = {
  merchant: { name: 'Finan pte', phone: '02833223243', address: '195/10A, Dien Bien Phu, P15, Binh Thanh', email: 'merchant@finan.one' },
  items: [{ name: 'So Ban Hang Pro 3 Nam', price: 3000000, quantity: 2, amount: 6000000 }],
  customer: { name: 'Nguyen Van A', phone: '0933450210', address: '15, Le Duan, q3, Quan 1', email: 'nguyena@gmail.com' },
  payment_method: 'bank_transfer',
  account_id: FINAN_SOURCE_ACCOUNT_ID,
  amount: 6000000,
  description: 'thanh toan don hang',
  reference_id: '54fgi4537-0cb5-4992-ad0e-76d26ba4ddc3',
  reference_type: 'invoice',
  success_redirect_url: 'https://your-site.com/success',
  failure_redirect_url: 'https://your-site.com/failure',
};

export interface PaymentRequestCreated {
  payment_request_id: string;
  payment_request_code: string;
  payment_url: string;
  bank_transfer_detail: { qr_code: string; bank_name: string; account_name: string; account_number: string; remark: string } | null;
}

export interface PaymentRequestItem {
  payment_request_id: string;
  paid_amount: number;
  status: string;
  payment_method: string;
  amount: number;
  description: string | null;
  reference_type: string | null;
  reference_id: string;
  payments: Array<{ id: string; amount: number; method: string; created_at: string }>;
  merchant: Record<string, string> | null;
  customer: Record<string, string> | null;
}

export interface RecordedPayment {
  id: string;
  amount: number;
  method: string;
  created_at: string;
  remark: string | null;
  payment_request_id: string | null;
  reference_type: string | null;
  reference_id: string | null;
  orphan: boolean;
  late: boolean;
}

export interface DeliveryView {
  id: string;
  paymentId: string;
  duplicate: boolean;
  state: string;
  payload: Record<string, unknown>;
  attempts: Array<{ attempt: number; at: string; url: string; status: number | null; error: string | null }>;
  nextAttemptAt: string | null;
}

export function paymentsClient(finanBaseUrl: string) {
  const { call } = finanClient(finanBaseUrl);
  return {
    call,
    create: (body: unknown = PAGE_EXAMPLE_PAYMENT) => call<PaymentRequestCreated>({ method: 'POST', path: '/api/v1/payments', body }),
    list: (query = '') => call<PaymentRequestItem[]>({ method: 'GET', path: `/api/v1/payments${query}` }),
    get: (id: string) => call<PaymentRequestItem>({ method: 'GET', path: `/api/v1/payments/${id}` }),
  };
}

export function paymentControls(sandboxUrl: string) {
  const { send } = sandboxControls(sandboxUrl);
  return {
    transfer: (remark: string, amount: number) => send<RecordedPayment>('POST', '/finan/transfers', { remark, amount }),
    payments: async () => (await send<{ payments: RecordedPayment[] }>('GET', '/finan/payments')).body.payments,
    inspect: (id: string) => send<{ expired: boolean; expires_at: string; remark: string | null; payment_request_code: string }>('GET', `/finan/payment-requests/${id}`),
    checkout: (id: string, body: unknown = {}) => send<RecordedPayment & { error?: string }>('POST', `/finan/checkout/${id}`, body),
    setWebhook: (url: string | null) => send<{ url: string | null; error?: string }>('POST', '/finan/webhook', { url }),
    deliveries: async () => (await send<{ deliveries: DeliveryView[] }>('GET', '/finan/webhook-deliveries')).body.deliveries,
  };
}
