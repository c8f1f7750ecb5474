// Card and bank-debit surcharges: the merchant's settings, the laws and network rules as data, the pure computation.
export * from './types';
export * from './jurisdictions';
export * from './compute';
export * from './stripe-instrument';
export * from './refund';
