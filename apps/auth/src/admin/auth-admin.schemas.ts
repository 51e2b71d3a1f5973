import { cidrError } from '@switchboard/common';
import { z } from 'zod';

const nullableLimit = z.number().int().min(0).nullable();
const money = z.number().finite().min(0, 'must not be negative');
const name = z.string().trim().min(1).max(128);
const status = z.enum(['active', 'disabled']);

export const CreateUser = z
  .object({ name, group: name.default('default'), balance: money.nullable().default(0), status: status.default('active') })
  .strict();
export const UpdateUser = z.object({ name, group: name, balance: money.nullable(), status }).partial().strict();

const allowIps = z.array(z.string()).superRefine((list, ctx) => {
  list.forEach((entry, i) => {
    const err = cidrError(entry);
    if (err) ctx.addIssue({ code: 'custom', message: err, path: [i] });
  });
});
const models = z.array(z.string().min(1)).min(1, 'use null for every model').nullable();
const expiresAt = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO-8601 time' })
  .nullable();

export const CreateToken = z
  .object({
    name: name.default('default'),
    userId: z.number().int().positive().optional(),
    group: name.nullable().optional(),
    expiresAt: expiresAt.default(null),
    quota: money.nullable().default(null),
    models: models.default(null),
    allowIps: allowIps.default([]),
    rpm: nullableLimit.default(null),
    tpm: nullableLimit.default(null),
    maxConcurrency: nullableLimit.default(null),
    crossGroupRetry: z.boolean().default(false),
    status: status.default('active'),
  })
  .strict();
export const UpdateToken = z
  .object({
    name,
    group: name.nullable(),
    expiresAt,
    quota: money.nullable(),
    models,
    allowIps,
    rpm: nullableLimit,
    tpm: nullableLimit,
    maxConcurrency: nullableLimit,
    crossGroupRetry: z.boolean(),
    status,
  })
  .partial()
  .strict();

export const CreateGroup = z
  .object({
    name,
    priceRatio: z.number().finite().min(0).default(1),
    rpm: nullableLimit.default(null),
    tpm: nullableLimit.default(null),
    maxConcurrency: nullableLimit.default(null),
  })
  .strict();
export const UpdateGroup = CreateGroup.omit({ name: true }).partial().strict();

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
