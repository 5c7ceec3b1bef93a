export * from './client';
export * from './errors';
export * from './rules';
export type { Company, CompanyConfigurations } from './schemas';
